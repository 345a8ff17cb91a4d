// Votes on questions and answers, and a question's accepted answer. Each write takes its lock
// first — the post's row for a vote, the thread's row for an accept — so concurrent votes and
// accepts on the same post or question are decided one after the other and no count is lost or
// doubled; the reputation they move is written in the same transaction (server/reputation/).
import type { Db } from '../db/index.ts';
import { award, lockMembers, reverse, standingEvent } from '../reputation/ledger.ts';

/** The post a vote or an accept is on (access/posts.ts postWithThread reads it at the route). */
export interface PostForVote {
  id: number;
  user_id: number;
  post_number: number;
  thread_id: number;
}

/**
 * Sets the voter's vote on the post to `value` (0: none) and answers the post's score. What the
 * vote was before is undone first, with the reputation it moved; then the new one counts. An
 * upvote gives the author +10 on an answer and +5 on a question; a downvote takes 2 from the
 * author and, on an answer, 1 from the voter.
 */
export async function castVote(db: Db, v: { post: PostForVote; voterId: number; value: -1 | 0 | 1; at: Date }): Promise<{ score: number; value: -1 | 0 | 1 }> {
  const { post, voterId, value, at } = v;
  const isAnswer = post.post_number > 1;
  return db.transaction().execute(async (tx) => {
    // The post's row orders the votes on it.
    await tx.selectFrom('posts').select('id').where('id', '=', post.id).forUpdate().executeTakeFirstOrThrow();
    await lockMembers(tx, [post.user_id, voterId]);
    const before = await tx.selectFrom('post_votes').select('value').where('post_id', '=', post.id).where('user_id', '=', voterId).executeTakeFirst();
    const was = before?.value ?? 0;
    if (was === value) {
      const row = await tx.selectFrom('posts').select('score').where('id', '=', post.id).executeTakeFirstOrThrow();
      return { score: row.score, value };
    }
    const events = (vote: -1 | 1) =>
      vote === 1
        ? [{ userId: post.user_id, kind: isAnswer ? ('answer_upvoted' as const) : ('question_upvoted' as const) }]
        : [
            { userId: post.user_id, kind: 'post_downvoted' as const },
            ...(isAnswer ? [{ userId: voterId, kind: 'downvoted_answer' as const }] : []),
          ];
    if (was !== 0) {
      await tx.deleteFrom('post_votes').where('post_id', '=', post.id).where('user_id', '=', voterId).execute();
      for (const e of events(was)) await reverse(tx, { ...e, postId: post.id, actorId: voterId, at });
    }
    if (value !== 0) {
      await tx.insertInto('post_votes').values({ post_id: post.id, user_id: voterId, value, created_at: at }).execute();
      for (const e of events(value)) await award(tx, { ...e, postId: post.id, actorId: voterId, at });
    }
    const row = await tx
      .updateTable('posts')
      .set((eb) => ({ score: eb('score', '+', value - was) }))
      .where('id', '=', post.id)
      .returning('score')
      .executeTakeFirstOrThrow();
    return { score: row.score, value };
  });
}

/**
 * Accepts the post as its question's answer, or undoes the accept when it is the accepted one
 * already. Accepting another answer first undoes the one before. The answer's author gets +15
 * and whoever accepts +2, unless the answer is their own (nobody earns from accepting themselves).
 */
export async function toggleAccept(db: Db, a: { post: PostForVote; by: number; at: Date }): Promise<{ accepted: boolean }> {
  const { post, by, at } = a;
  return db.transaction().execute(async (tx) => {
    // The thread's row orders the accepts of one question.
    const thread = await tx.selectFrom('threads').select(['id', 'accepted_post_id']).where('id', '=', post.thread_id).forUpdate().executeTakeFirstOrThrow();
    // What accepting the answer before gave, whoever accepted it, is undone: found by its post.
    const undo = thread.accepted_post_id === null ? [] : await acceptEvents(tx, thread.accepted_post_id);
    // Every member this write moves, locked at once in id order.
    await lockMembers(tx, [post.user_id, by, ...undo.map((e) => e.user_id)]);
    for (const e of undo) await reverse(tx, { userId: e.user_id, kind: e.kind, postId: thread.accepted_post_id, actorId: e.actor_id, at });
    const accepted = thread.accepted_post_id !== post.id;
    if (accepted) {
      await award(tx, { userId: post.user_id, kind: 'answer_accepted', postId: post.id, actorId: by, at });
      if (by !== post.user_id) await award(tx, { userId: by, kind: 'accepted_an_answer', postId: post.id, actorId: by, at });
    }
    await tx.updateTable('threads').set({ accepted_post_id: accepted ? post.id : null }).where('id', '=', thread.id).execute();
    return { accepted };
  });
}

/** The standing (not undone) events that accepting this answer gave. */
function acceptEvents(tx: Db, postId: number) {
  return tx
    .selectFrom('reputation_events as r')
    .select(['r.user_id', 'r.kind', 'r.actor_id'])
    .where('r.post_id', '=', postId)
    .where('r.kind', 'in', ['answer_accepted', 'accepted_an_answer'])
    .where(standingEvent)
    .execute();
}

// Votes on questions and answers, and a question's accepted answer. Each write takes its lock
// first — the post's row for a vote, the thread's row for an accept — so concurrent votes and
// accepts on the same post or question are decided one after the other and no count is lost or
// doubled; the reputation they move is written in the same transaction (server/reputation/).
import type { Db } from '../db/index.ts';
import { sql } from 'kysely';
import { postWithThread, postWithThreadQuery } from '../access/posts.ts';
import { notFound } from '../errors.ts';
import { lockedMembers, Moves, standingEvent, standingEvents, type LockedMember, type StandingRow } from '../reputation/ledger.ts';

/** The post an accept is on (access/posts.ts postWithThread reads it at the route). */
export interface PostForVote {
  id: number;
  user_id: number;
  post_number: number;
  thread_id: number;
}

/** The post voted on, with its thread and category (postWithThread), its score and the voter's vote before. */
export type VotedPost = NonNullable<Awaited<ReturnType<typeof postWithThread<'t.last_post_number' | 'p.score'>>>> & { was: -1 | 0 | 1 };

/**
 * Sets the voter's vote on the post to `value` (0: none) and answers the post as voted on and its
 * new score. What the vote was before is undone first, with the reputation it moved; then the new
 * one counts. An upvote gives the author +10 on an answer and +5 on a question; a downvote takes
 * 2 from the author and, on an answer, 1 from the voter.
 *
 * Four round trips whatever the change: the transaction's start; the post read with its thread
 * and locked, then the author and the voter locked with their totals and the day's gains, in one
 * statement; the events, the totals, the vote and the score written in one (an undone vote reads
 * the events it undoes first); the commit. `check` refuses, with the error to answer, a vote the
 * voter may not cast on the post as read there (the transaction then ends with nothing written).
 */
export async function castVote(
  db: Db,
  v: { postId: number; voterId: number; value: -1 | 0 | 1; at: Date; check: (post: VotedPost) => void },
): Promise<{ post: VotedPost; score: number; value: -1 | 0 | 1 }> {
  const { voterId, value, at } = v;
  return db.transaction().execute(async (tx) => {
    // The post's row orders the votes on it. The members are locked after it, in a lateral join
    // on the row (its author), and read at their newest version: their day's gains are on their
    // row (migrations/0033), so a lock that waited on another vote still sees what it gained.
    const locked = postWithThreadQuery(tx, v.postId, [
      't.last_post_number', 'p.score',
      sql<-1 | 0 | 1>`coalesce((select value from post_votes where post_id = p.id and user_id = ${voterId}), 0)::int`.as('was'),
    ]).forUpdate('p');
    const { rows } = await sql<VotedPost & { members: LockedMember[] }>`
      select f.*, m.members from (${locked}) f
      cross join lateral (
        select coalesce(json_agg(x), '[]'::json) as members
        from (${lockedMembers(sql`array[f.user_id, ${voterId}]::bigint[]`, at)}) x
      ) m`.execute(tx);
    const found = rows[0];
    if (!found) throw notFound('That post');
    const { members, ...post } = found;
    v.check(post);
    const { score, was } = post;
    if (was === value) return { post, score, value };
    const isAnswer = post.post_number > 1;
    const events = (vote: -1 | 1) =>
      vote === 1
        ? [{ userId: post.user_id, kind: isAnswer ? ('answer_upvoted' as const) : ('question_upvoted' as const) }]
        : [
            { userId: post.user_id, kind: 'post_downvoted' as const },
            ...(isAnswer ? [{ userId: voterId, kind: 'downvoted_answer' as const }] : []),
          ];
    const moves = Moves.of(members, at);
    if (was !== 0) {
      for (const original of await standingEvents(tx, { postId: post.id, actorId: voterId, events: events(was) })) {
        moves.reverse(original, { postId: post.id, actorId: voterId });
      }
    }
    if (value !== 0) for (const e of events(value)) moves.award({ ...e, postId: post.id, actorId: voterId });
    const vote =
      was === 0
        ? sql`insert into post_votes (post_id, user_id, value, created_at) values (${post.id}, ${voterId}, ${value}, ${at})`
        : value === 0
          ? sql`delete from post_votes where post_id = ${post.id} and user_id = ${voterId}`
          : sql`update post_votes set value = ${value}, created_at = ${at} where post_id = ${post.id} and user_id = ${voterId}`;
    // The events, the totals, the vote and the score in one statement.
    const reputation = moves.take();
    const moved = await sql<{ score: number }>`
      with ${reputation ? sql`${reputation},` : sql``} vote as (${vote})
      update posts set score = score + ${value - was} where id = ${post.id} returning score`.execute(tx);
    return { post, score: moved.rows[0]!.score, value };
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
    const before = thread.accepted_post_id;
    const undo = before === null ? [] : await acceptEvents(tx, before);
    // Every member this write moves, locked at once in id order.
    const moves = await Moves.open(tx, [post.user_id, by, ...undo.map((e) => e.user_id)], at);
    for (const e of undo) moves.reverse(e, { postId: before, actorId: e.actor_id });
    const accepted = before !== post.id;
    if (accepted) {
      moves.award({ userId: post.user_id, kind: 'answer_accepted', postId: post.id, actorId: by });
      if (by !== post.user_id) moves.award({ userId: by, kind: 'accepted_an_answer', postId: post.id, actorId: by });
    }
    await moves.write(tx);
    await tx.updateTable('threads').set({ accepted_post_id: accepted ? post.id : null }).where('id', '=', thread.id).execute();
    return { accepted };
  });
}

/** The standing (not undone) events that accepting this answer gave, whoever accepted it. */
function acceptEvents(tx: Db, postId: number): Promise<StandingRow[]> {
  return tx
    .selectFrom('reputation_events as r')
    .select(['r.id', 'r.user_id', 'r.kind', 'r.points', 'r.actor_id'])
    .where('r.post_id', '=', postId)
    .where('r.kind', 'in', ['answer_accepted', 'accepted_an_answer'])
    .where(standingEvent)
    .execute();
}

// The writes that take a post out of the public or let it back in: hiding (flags, a moderator),
// holding for approval, and their undoing, with the counters that move with them. Who may see
// what, once written, is server/access (a post is public when it is neither deleted, hidden nor
// pending; a thread follows its first post). Counters shown on lists (replies, threads in a
// category) count public posts and threads only; a tag's threads and a member's posts and
// threads are counted by triggers (migrations/0026_public_counts.ts), which also leave out
// categories not open to all.
// Each change here runs in the caller's transaction and reports whether it changed anything,
// so two moderators (or twenty flags) acting at once change a post exactly once.
import { sql, type Updateable } from 'kysely';
import type { Db } from '../db/index.ts';
import type { HiddenReason, PendingReason, PostsTable, ThreadsTable } from '../db/schema.ts';
import { notifyForPost } from '../notifications/queries.ts';
import { cookPost } from '../text/mentions.ts';

interface Moved {
  id: number;
  thread_id: number;
  post_number: number;
  user_id: number;
}

/**
 * A post leaves or enters the public: the thread's reply count (a reply) or the category's
 * thread count (a first post, which takes its thread along) moves with it. Its tags' counts follow
 * the thread's own row (migrations/0026_public_counts.ts).
 */
async function movePublic(tx: Db, post: Moved, direction: 1 | -1, at: Date) {
  const op = direction === 1 ? '+' : '-';
  if (post.post_number === 1) {
    // The callers have already set the thread's own hidden_at / pending_at.
    const thread = await tx.selectFrom('threads').select(['category_id', 'deleted_at']).where('id', '=', post.thread_id).executeTakeFirstOrThrow();
    if (thread.deleted_at) return;
    await tx.updateTable('categories').set((eb) => ({ thread_count: eb('thread_count', op, 1) })).where('id', '=', thread.category_id).execute();
    return;
  }
  await tx
    .updateTable('threads')
    .set((eb) => ({
      reply_count: eb('reply_count', op, 1),
      // A held reply enters the thread's activity when it is let in.
      ...(direction === 1
        ? { last_post_at: sql<Date>`greatest(last_post_at, ${at})`, last_post_user_id: sql<number>`case when last_post_at <= ${at} then ${post.user_id}::bigint else last_post_user_id end` }
        : {}),
    }))
    .where('id', '=', post.thread_id)
    .execute();
}

/**
 * Sets or clears one of a post's two holds (hidden, pending) and its thread's, for a first post,
 * moving the counters when the post enters or leaves the public (it is public only when neither
 * hold nor a deletion stands). Answers undefined when the hold already was as asked: of two
 * moderators, or twenty flags, acting at once, one changes the post and the counters.
 */
async function setHold(tx: Db, postId: number, hold: 'hidden' | 'pending', to: { reason: HiddenReason | PendingReason } | null, at: Date) {
  const since = `${hold}_at` as const;
  const post = await tx
    .updateTable('posts')
    .set({ [since]: to ? at : null, [`${hold}_reason`]: to?.reason ?? null } as Updateable<PostsTable>)
    .where('id', '=', postId)
    .where(since, to ? 'is' : 'is not', null)
    .returning(['id', 'thread_id', 'post_number', 'user_id', 'raw', 'deleted_at', 'hidden_at', 'pending_at'])
    .executeTakeFirst();
  if (!post) return undefined;
  if (post.post_number === 1) {
    await tx.updateTable('threads').set({ [since]: to ? at : null } as Updateable<ThreadsTable>).where('id', '=', post.thread_id).execute();
  }
  // The row as it is now: public before a hold was set, or public once it is cleared.
  const otherHold = hold === 'hidden' ? post.pending_at : post.hidden_at;
  const moved = !post.deleted_at && !otherHold;
  if (moved) await movePublic(tx, post, to ? -1 : 1, at);
  return { post, moved };
}

/** Hides a post pending review (its thread too, for a first post). Answers false if it already was hidden. */
export async function hidePost(tx: Db, postId: number, reason: HiddenReason, at = new Date()): Promise<boolean> {
  return (await setHold(tx, postId, 'hidden', { reason }, at)) !== undefined;
}

/** Shows a hidden post again. Answers false if it was not hidden. */
export async function unhidePost(tx: Db, postId: number, at = new Date()): Promise<boolean> {
  return (await setHold(tx, postId, 'hidden', null, at)) !== undefined;
}

/**
 * Holds a public post for approval again (an edit caught by a watched word, say): it leaves the
 * counts. A post written held is held by createThread and createReply (`hold`), which leave
 * counters and notifications to approvePost. Answers false if it was already pending.
 */
export async function holdPost(tx: Db, postId: number, reason: PendingReason, at = new Date()): Promise<boolean> {
  return (await setHold(tx, postId, 'pending', { reason }, at)) !== undefined;
}

/**
 * Lets a held post in: counters move, and the mentions, replies and watches it would have
 * notified at posting are notified now. Answers false if it was not pending.
 */
export async function approvePost(tx: Db, postId: number, at = new Date()): Promise<boolean> {
  const approved = await setHold(tx, postId, 'pending', null, at);
  if (!approved) return false;
  const { post, moved } = approved;
  if (!moved) return true;
  const thread = await tx.selectFrom('threads').select(['category_id', 'user_id']).where('id', '=', post.thread_id).executeTakeFirstOrThrow();
  const { mentioned } = await cookPost(tx, post.raw);
  await notifyForPost(tx, {
    postId: post.id,
    threadId: post.thread_id,
    categoryId: thread.category_id,
    authorId: post.user_id,
    threadAuthorId: post.post_number === 1 ? undefined : thread.user_id,
    mentionedIds: mentioned.map((m) => m.id),
  });
  return true;
}

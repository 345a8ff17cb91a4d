// A thread's official response: one reply by brand staff, chosen by staff, shown under the first
// post as the brand's answer. It stands apart from a question's accepted answer (the asker's
// choice, server/qa/): a question may have both, and they may be the same post.
import type { Db } from '../../db/index.ts';
import { publicPost } from '../../access/posts.ts';
import { logAction } from '../../moderation/log/write.ts';
import { HttpError } from '../../errors.ts';

/**
 * The official response as the thread page shows it under the first post: only while it is
 * public (a hidden or deleted one is not the brand's answer to anyone).
 */
export function officialResponseOf(db: Db, postId: number) {
  return db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.id', 'p.post_number', 'p.cooked', 'p.created_at', 'p.user_id', 'u.username', 'u.display_name'])
    .where('p.id', '=', postId)
    .where(publicPost)
    .executeTakeFirst();
}

/** A post as marking it official needs it: its place, its state and its author's role. */
export function officialCandidate(db: Db, postId: number) {
  return db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.id', 'p.thread_id', 'p.post_number', 'p.user_id', 'p.deleted_at', 'p.hidden_at', 'p.pending_at', 'u.role'])
    .where('p.id', '=', postId)
    .executeTakeFirst();
}

/**
 * Marks a post as the thread's official response (`postId`), or takes the mark away (null),
 * under the thread's row lock, with its staff log line. Answers whether anything changed.
 */
export async function setOfficial(tx: Db, s: { threadId: number; postId: number | null; by: number; at: Date }) {
  const before = await tx
    .selectFrom('threads')
    .select(['id', 'title', 'official_post_id', 'deleted_at'])
    .where('id', '=', s.threadId)
    .forUpdate()
    .executeTakeFirst();
  if (!before || before.deleted_at) throw new HttpError(404, 'That thread could not be found.');
  if (before.official_post_id === s.postId) return false;
  await tx.updateTable('threads').set({ official_post_id: s.postId }).where('id', '=', s.threadId).execute();
  await logAction(tx, {
    actorId: s.by,
    action: s.postId === null ? 'thread.official_clear' : 'thread.official',
    target: { type: 'thread', id: s.threadId, label: before.title },
    before: { official_post_id: before.official_post_id },
    after: { official_post_id: s.postId },
    at: s.at,
  });
  return true;
}

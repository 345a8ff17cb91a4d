// Editing (with revisions) and soft deletion of posts. A first post carries its thread: its
// edit may change the title, and its deletion deletes the thread.
import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { slugify } from '../addresses.ts';
import { forgetPosts } from '../notifications/queries.ts';
import { logAction } from './log/write.ts';
import { cookPost } from '../text/mentions.ts';

/**
 * Runs in the caller's transaction when given one (a moderator's queue action edits or deletes
 * and resolves the item at once), else in a transaction of its own.
 */
function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/**
 * `staffLog`: a moderator's edit of someone else's post is a staff action, written to the staff
 * log with the text before and after, in the edit's own transaction.
 */
export async function editPost(db: Db, e: { postId: number; by: number; body: string; title?: string; staffLog?: boolean }) {
  return inTransaction(db, async (tx) => {
    // Locked so that two edits at once each keep the other's text as a revision.
    const post = await tx
      .selectFrom('posts as p')
      .innerJoin('threads as t', 't.id', 'p.thread_id')
      .select(['p.id', 'p.raw', 'p.edit_count', 'p.post_number', 'p.deleted_at', 't.id as thread_id', 't.title'])
      .where('p.id', '=', e.postId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (post.deleted_at) throw new HttpError(409, 'This post was deleted while you were editing it.');
    const newTitle = post.post_number === 1 && e.title !== undefined && e.title !== post.title ? e.title : undefined;
    if (post.raw === e.body && newTitle === undefined) return { changed: false };
    await tx
      .insertInto('post_revisions')
      .values({
        post_id: post.id,
        number: post.edit_count + 1,
        raw: post.raw,
        title: post.post_number === 1 ? post.title : null,
        edited_by: e.by,
      })
      .execute();
    await tx
      .updateTable('posts')
      // Mentions added by an edit are linked, but not notified: an edit should not ping anyone.
      .set({ raw: e.body, cooked: (await cookPost(tx, e.body)).cooked, updated_at: new Date(), edit_count: post.edit_count + 1 })
      .where('id', '=', post.id)
      .execute();
    if (newTitle !== undefined) {
      await tx.updateTable('threads').set({ title: newTitle, slug: slugify(newTitle) }).where('id', '=', post.thread_id).execute();
    }
    if (e.staffLog) {
      const titled = newTitle !== undefined;
      await logAction(tx, {
        actorId: e.by,
        action: 'post.edit',
        target: { type: 'post', id: post.id, label: post.title },
        before: { body: post.raw, ...(titled ? { title: post.title } : {}) },
        after: { body: e.body, ...(titled ? { title: newTitle } : {}) },
      });
    }
    return { changed: true };
  });
}

/**
 * Soft deletion: the post stays for staff. Counters move in the same transaction. `staffLog`: a
 * moderator deleting someone else's post writes it to the staff log in that transaction too.
 */
export async function deletePost(db: Db, d: { postId: number; by: number; staffLog?: boolean }) {
  return inTransaction(db, async (tx) => {
    const now = new Date();
    const post = await tx
      .updateTable('posts')
      .set({ deleted_at: now, deleted_by: d.by })
      .where('id', '=', d.postId)
      .where('deleted_at', 'is', null)
      .returning(['id', 'thread_id', 'post_number', 'hidden_at', 'pending_at'])
      .executeTakeFirst();
    if (!post) return { deleted: false, threadDeleted: false };
    if (d.staffLog) {
      const thread = await tx.selectFrom('threads').select('title').where('id', '=', post.thread_id).executeTakeFirstOrThrow();
      await logAction(tx, {
        actorId: d.by,
        action: 'post.delete',
        target: { type: 'post', id: post.id, label: thread.title },
        before: { state: post.hidden_at ? 'hidden' : post.pending_at ? 'pending' : 'public' },
        after: { state: 'deleted', ...(post.post_number === 1 ? { thread: 'deleted' } : {}) },
        at: now,
      });
    }
    // A hidden or held post already left the counts.
    const counted = !post.hidden_at && !post.pending_at;
    await forgetPosts(tx, post.post_number === 1 ? { threadId: post.thread_id } : { postId: post.id });
    if (post.post_number === 1) {
      const thread = await tx
        .updateTable('threads')
        .set({ deleted_at: now, deleted_by: d.by })
        .where('id', '=', post.thread_id)
        .returning('category_id')
        .executeTakeFirstOrThrow();
      if (!counted) return { deleted: true, threadDeleted: true };
      await tx
        .updateTable('categories')
        .set((eb) => ({ thread_count: eb('thread_count', '-', 1) }))
        .where('id', '=', thread.category_id)
        .execute();
      return { deleted: true, threadDeleted: true };
    }
    if (!counted) return { deleted: true, threadDeleted: false };
    await tx
      .updateTable('threads')
      .set((eb) => ({ reply_count: eb('reply_count', '-', 1) }))
      .where('id', '=', post.thread_id)
      .execute();
    return { deleted: true, threadDeleted: false };
  });
}

export function revisionsOf(db: Db, postId: number) {
  return db
    .selectFrom('post_revisions as r')
    .innerJoin('users as u', 'u.id', 'r.edited_by')
    .select(['r.number', 'r.raw', 'r.title', 'r.created_at', 'u.username as edited_by'])
    .where('r.post_id', '=', postId)
    .orderBy('r.number', 'desc')
    .execute();
}

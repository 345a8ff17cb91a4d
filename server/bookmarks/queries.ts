// Bookmarks: a member's saved posts, their reminders, and the list at /bookmarks.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Viewer } from '../permissions.ts';
import { publicPost } from '../access/posts.ts';
import { publicThread } from '../access/threads.ts';
import { readableCategoryIds } from '../access/categories.ts';

/**
 * Bookmarks the post for the member, or takes the bookmark away. With a reminder, a bookmark
 * already there keeps its place and takes the reminder (the control's "Remind me" form sends
 * one to a post already bookmarked); without, it is removed. One statement each way, so two
 * toggles at once leave one answer standing, never an error.
 */
export async function toggleBookmark(db: Db, userId: number, postId: number, remindAt: Date | null) {
  return db.transaction().execute(async (tx) => {
    if (remindAt) {
      const row = await tx
        .insertInto('bookmarks')
        .values({ user_id: userId, post_id: postId, remind_at: remindAt })
        .onConflict((oc) => oc.columns(['user_id', 'post_id']).doUpdateSet({ remind_at: remindAt, reminded_at: null }))
        .returning(['remind_at'])
        .executeTakeFirstOrThrow();
      return { bookmarked: true, remindAt: row.remind_at };
    }
    const removed = await tx.deleteFrom('bookmarks').where('user_id', '=', userId).where('post_id', '=', postId).executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) return { bookmarked: false, remindAt: null };
    await tx.insertInto('bookmarks').values({ user_id: userId, post_id: postId }).onConflict((oc) => oc.doNothing()).execute();
    return { bookmarked: true, remindAt: null };
  });
}

/**
 * One page of the member's bookmarks, newest first, after the cursor (the last one of the page
 * before). Only posts they may still open: public posts of public threads in categories they may
 * read, so a post hidden, held or deleted since, or a category closed to them, drops out of the
 * list and comes back if that changes. An unlisted thread stays: it is open at its address,
 * and the list is the member's own.
 */
export function bookmarksOf(db: Db, viewer: Viewer, limit: number, before?: { at: Date; id: number }) {
  return db
    .selectFrom('bookmarks as b')
    .innerJoin('posts as p', 'p.id', 'b.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .where(publicPost)
    .where(publicThread)
    .where('t.category_id', 'in', readableCategoryIds(db, viewer))
    .select(['b.id', 'b.created_at', 'b.remind_at', 'b.reminded_at', 'p.id as post_id', 'p.post_number', 'p.cooked', 't.id as thread_id', 't.title', 't.slug'])
    .where('b.user_id', '=', viewer.id)
    .$if(before !== undefined, (q) => q.where(sql<boolean>`(b.created_at, b.id) < (${before!.at}, ${before!.id})`))
    .orderBy('b.created_at', 'desc')
    .orderBy('b.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Sends the reminders that are due: one notification for each, at most `batch` a run. The rows
 * are claimed (SKIP LOCKED), marked sent and their notifications written in one statement, so a
 * second run at the same moment, in this process or another, skips what the first took, and
 * sees it sent once the first commits: a reminder is sent once. The message names no thread:
 * the list shows the thread's title and the link only while the member may open the post
 * (server/notifications/queries.ts).
 */
export async function sendDueReminders(db: Db, now: Date, batch = 500): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    with due as (
      update bookmarks b set reminded_at = ${now}
      where b.id in (
        select id from bookmarks
        where remind_at is not null and reminded_at is null and remind_at <= ${now}
        order by remind_at
        limit ${batch}
        for update skip locked
      )
      returning b.user_id, b.post_id
    )
    insert into notifications (user_id, kind, post_id, thread_id, message)
    select due.user_id, 'bookmark_reminder', due.post_id, p.thread_id, 'A reminder you set on a bookmarked post.'
    from due join posts p on p.id = due.post_id
    returning id`.execute(db);
  return rows.length;
}

// Seeds a member's rank facts as rows, the way the app writes them: days in member_days, likes
// given and received, replies in threads. For test/ranks/*.test.ts.
import { sql } from 'kysely';
import type { Db } from '../../server/db/index.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import type { Member } from '../helpers/app.ts';

export interface Seeded {
  days?: number;
  entered?: number;
  read?: number;
  minutes?: number;
  likesGiven?: number;
  likesReceived?: number;
  repliedThreads?: number;
}

type Make = { member(opts?: { rank?: number }): Promise<Member>; category(): Promise<{ id: number }> };

/** Likes from `by` on each post, with the count on the post moved as a like moves it. */
export async function like(db: Db, by: number, postIds: number[], at?: Date) {
  if (!postIds.length) return;
  await db.insertInto('post_likes').values(postIds.map((post_id) => ({ post_id, user_id: by, ...(at ? { created_at: at } : {}) }))).execute();
  await db.updateTable('posts').set((eb) => ({ like_count: eb('like_count', '+', 1) })).where('id', 'in', postIds).execute();
}

/**
 * Writes `f` for `member`, with another member's posts to like and threads to reply in. Days
 * visited end today (app's clock `now`), all within rank 3's window; what was read goes on today.
 */
export async function seedFacts(db: Db, make: Make, member: Member, f: Seeded, now = new Date()) {
  const other = await make.member();
  const category = await make.category();
  const thread = (title: string) => createThread(db, { categoryId: category.id, userId: other.id, title, body: 'A first post to read.' });
  if (f.likesGiven) {
    const pool = await thread('Posts worth a like');
    const ids: number[] = [];
    for (let i = 0; i < f.likesGiven; i++) ids.push((await createReply(db, { threadId: pool.id, userId: other.id, body: `Likeable ${i}` })).id);
    await like(db, member.id, ids);
  }
  let replied = f.repliedThreads ?? 0;
  if (f.likesReceived) {
    const theirs = await thread('Where the member is liked');
    const ids: number[] = [];
    for (let i = 0; i < f.likesReceived; i++) ids.push((await createReply(db, { threadId: theirs.id, userId: member.id, body: `Liked reply ${i}` })).id);
    await like(db, other.id, ids);
    replied--;
  }
  for (let i = 0; i < replied; i++) {
    const th = await thread(`A thread to reply in, ${i}`);
    await createReply(db, { threadId: th.id, userId: member.id, body: `A reply of mine, ${i}` });
  }
  const days = Math.max(f.days ?? 0, f.entered || f.read || f.minutes ? 1 : 0);
  if (days) {
    const rows = Array.from({ length: days }, (_, i) => ({
      user_id: member.id,
      day: new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10),
      threads_entered: i === 0 ? (f.entered ?? 0) : 0,
      posts_read: i === 0 ? (f.read ?? 0) : 0,
      reading_seconds: i === 0 ? (f.minutes ?? 0) * 60 : 0,
    }));
    await db.insertInto('member_days').values(rows).execute();
  }
}

export const rankOf = async (db: Db, id: number) =>
  (await db.selectFrom('users').select(['rank', 'rank_changed_at']).where('id', '=', id).executeTakeFirstOrThrow());

export const rankNotices = (db: Db, id: number) =>
  db.selectFrom('notifications').select(['message', 'link']).where('user_id', '=', id).where('kind', '=', 'rank').orderBy('id').execute();

export const clearBadgeDue = (db: Db) => sql`delete from badge_due`.execute(db);

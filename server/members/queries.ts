// Members as the admins see them: the search over every member, a member's record (posts, flags
// raised and received, sanctions), and the deletion of an account, shared by the admin's page and
// the member's own. The member's own download of their data is in export.ts.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { logAction } from '../moderation/log/write.ts';
import { deletePost } from '../moderation/edits.ts';
import { endSessionsOf } from '../sessions/index.ts';

/** Members on a page of the search. */
export const MEMBERS_PAGE = 50;

/** What the record of a member on their admin page shows of each list: the latest. */
export const RECORD_ROWS = 20;

/** A LIKE pattern matching `part` anywhere, its own `%`, `_` and `\` taken as themselves. */
export function containing(part: string): string {
  return `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface MemberSearch {
  /** A part of the username or the email, any case; empty: every member. */
  q: string;
  /** The lower-cased username of the last member on the page before (the keyset). */
  after?: string;
  limit?: number;
}

/**
 * A page of members whose username or email holds `q`, in the order of their usernames (any
 * case), from after the cursor. One more row than the page is read, to know whether another page
 * follows. The planner has two ways, and chooses by how many members match: a common part walks
 * users_username_key in order and stops after the page; a rare one finds its few members by the
 * trigram indexes (migrations/0043) and sorts them.
 */
export async function searchMembers(db: Db, s: MemberSearch) {
  const limit = s.limit ?? MEMBERS_PAGE;
  const q = s.q.trim();
  let query = db
    .selectFrom('users')
    .select(['id', 'username', 'email', 'display_name', 'role', 'rank', 'created_at', 'last_seen_at', 'post_count', 'deleted_at', sql<string>`lower(username)`.as('key')])
    .orderBy(sql`lower(username)`)
    .limit(limit + 1);
  if (q) {
    const pattern = containing(q);
    query = query.where((eb) => eb.or([eb(sql`lower(username)`, 'like', pattern), eb(sql`lower(email)`, 'like', pattern)]));
  }
  if (s.after) query = query.where(sql`lower(username)`, '>', s.after.toLowerCase());
  const rows = await query.execute();
  const members = rows.slice(0, limit);
  return { members, next: rows.length > limit ? members[members.length - 1].key : null };
}

/** A member as their admin page shows them; undefined when there is none. */
export function memberRecord(db: Db, id: number) {
  return db
    .selectFrom('users')
    .select([
      'id', 'username', 'email', 'display_name', 'role', 'rank', 'rank_locked', 'reputation', 'post_count', 'thread_count',
      'created_at', 'last_seen_at', 'silenced_until', 'suspended_until', 'banned_at', 'flags_agreed', 'flags_disagreed', 'deleted_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The member's latest posts, whatever their state (an admin sees every post). */
export function latestPostsOf(db: Db, userId: number, limit = RECORD_ROWS) {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.post_number', 'p.created_at', 'p.deleted_at', 'p.hidden_at', 'p.pending_at', 't.title', sql<string>`left(p.raw, 140)`.as('excerpt')])
    .where('p.user_id', '=', userId)
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
}

/** Flags the member raised, latest first, with the post's thread. */
export function flagsRaisedBy(db: Db, userId: number, limit = RECORD_ROWS) {
  return db
    .selectFrom('flags as f')
    .innerJoin('posts as p', 'p.id', 'f.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('users as a', 'a.id', 'p.user_id')
    .select(['f.id', 'f.post_id', 'f.reason', 'f.note', 'f.created_at', 'f.outcome', 't.title', 'a.username as author'])
    .where('f.user_id', '=', userId)
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(limit)
    .execute();
}

/** Flags others raised on the member's posts, latest first. */
export function flagsAgainst(db: Db, userId: number, limit = RECORD_ROWS) {
  return db
    .selectFrom('flags as f')
    .innerJoin('posts as p', 'p.id', 'f.post_id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('users as by', 'by.id', 'f.user_id')
    .select(['f.id', 'f.post_id', 'f.reason', 'f.note', 'f.created_at', 'f.outcome', 't.title', 'by.username as flagger'])
    .where('p.user_id', '=', userId)
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(limit)
    .execute();
}

/** What becomes of a deleted member's posts: kept under "deleted member", or removed with them. */
export type PostsChoice = 'anonymise' | 'remove';

/** The display name every deleted member's posts show. */
export const DELETED_NAME = 'deleted member';

/** The cost of the hash that replaces a deleted member's password: its secret is 32 random bytes nobody keeps, not a cost. */
const lockedCost = { memoryCost: 1024, timeCost: 1 };

export interface Erasure {
  userId: number;
  /** Who deletes: an admin, or the member themselves. */
  by: number;
  posts: PostsChoice;
  at: Date;
  reason?: string;
}

/**
 * Deletes a member's account in one transaction, logged with who did it. The row stays, scrubbed
 * (migrations/0043 says why); their sessions end (the rows go, and with them every process's kept
 * copy: migrations/0024 announces it), and what is theirs alone goes: sign-ins, drafts,
 * bookmarks, notifications, watches and read marks. Their posts stay under "deleted member", or
 * are removed as a moderator removes a post (counts moved, a first post taking its thread).
 * Their uploads are the caller's to erase after this commits (eraseUploadsOf): bytes cannot be
 * taken back by a rollback. Undefined when there is no such member or they are deleted already.
 */
export async function deleteMember(db: Db, e: Erasure) {
  // Hashed before the transaction: it takes a moment, and holds no lock.
  const lockedHash = await hashPassword(randomBytes(32).toString('hex'), lockedCost);
  return db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('users')
      .select(['id', 'username', 'role'])
      .where('id', '=', e.userId)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return undefined;
    let removed = 0;
    if (e.posts === 'remove') {
      // First posts first: each takes its thread, and the replies in it leave the counts with it.
      const posts = await tx
        .selectFrom('posts')
        .select(['id'])
        .where('user_id', '=', e.userId)
        .where('deleted_at', 'is', null)
        .orderBy(sql`post_number = 1`, 'desc')
        .orderBy('id')
        .execute();
      for (const post of posts) if ((await deletePost(tx, { postId: post.id, by: e.by })).deleted) removed++;
    }
    const username = `deleted-${e.userId}`;
    await tx
      .updateTable('users')
      .set({
        username,
        email: `${username}@deleted.invalid`,
        password_hash: lockedHash,
        role: 'member',
        // The rank job leaves a locked rank alone: nobody is told of a new rank any more.
        rank_locked: true,
        display_name: DELETED_NAME,
        bio: '',
        bio_cooked: '',
        location: '',
        website: '',
        avatar: null,
        deleted_at: e.at,
      })
      .where('id', '=', e.userId)
      .execute();
    await endSessionsOf(tx, e.userId);
    for (const table of ['sign_ins', 'drafts', 'bookmarks', 'notifications', 'thread_watches', 'category_watches', 'thread_reads'] as const) {
      await tx.deleteFrom(table).where('user_id', '=', e.userId).execute();
    }
    await logAction(tx, {
      actorId: e.by,
      action: 'user.delete',
      target: { type: 'user', id: e.userId, label: before.username },
      before: { username: before.username, role: before.role },
      after: { username, posts: e.posts === 'remove' ? 'removed' : 'anonymised', ...(e.posts === 'remove' ? { removed } : {}) },
      reason: e.reason,
      at: e.at,
    });
    return { username: before.username, removed };
  });
}

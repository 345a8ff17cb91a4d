import type { Insertable } from 'kysely';
import type { Db } from '../db/index.ts';
import type { CategoriesTable, Role } from '../db/schema.ts';
import { logAction } from '../moderation/log/write.ts';
import { rankNames } from '../permissions.ts';
import { publicPost } from '../access/posts.ts';
import { publicThread } from '../access/threads.ts';
import { createCategory } from '../threads/queries.ts';

// Exact counts: the admin page is not a hot path, so a scan of posts is affordable here. They
// count what the community can read, as every other count does: hidden, held and deleted posts
// are the queue's business.
export function communityTotals(db: Db) {
  return db
    .selectNoFrom((eb) => [
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).as('members'),
      eb.selectFrom('threads as t').select(eb.fn.countAll<number>().as('n')).where(publicThread).as('threads'),
      eb
        .selectFrom('posts as p')
        .innerJoin('threads as t', 't.id', 'p.thread_id')
        .select(eb.fn.countAll<number>().as('n'))
        .where(publicPost)
        .where(publicThread)
        .as('posts'),
    ])
    .executeTakeFirstOrThrow();
}

/** Gives a member a role, with its line in the staff log; undefined if there is no such member. */
export async function changeRole(db: Db, c: { userId: number; role: Role; by: number }) {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('users').select(['id', 'username', 'role']).where('id', '=', c.userId).forUpdate().executeTakeFirst();
    if (!before) return undefined;
    if (before.role === c.role) return before;
    const user = await tx.updateTable('users').set({ role: c.role }).where('id', '=', c.userId).returning(['id', 'username', 'role']).executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: c.by,
      action: 'user.role',
      target: { type: 'user', id: user.id, label: user.username },
      before: { role: before.role },
      after: { role: user.role },
    });
    return user;
  });
}

/**
 * Sets a member's rank by hand (locked: the rank review leaves it until it is changed by hand
 * again), or hands it back to the rules (`rank` null: unlocked, the rank as it is until the next
 * review moves it). Logged with before and after; the member is told of a new rank.
 */
export async function changeRank(db: Db, c: { userId: number; rank: number | null; by: number; at: Date }) {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('users').select(['id', 'username', 'rank', 'rank_locked']).where('id', '=', c.userId).forUpdate().executeTakeFirst();
    if (!before) return undefined;
    const rank = c.rank ?? before.rank;
    const locked = c.rank !== null;
    if (rank === before.rank && locked === before.rank_locked) return before;
    const user = await tx
      .updateTable('users')
      .set({ rank, rank_locked: locked, ...(rank !== before.rank ? { rank_changed_at: c.at } : {}) })
      .where('id', '=', c.userId)
      .returning(['id', 'username', 'rank', 'rank_locked'])
      .executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: c.by,
      action: 'user.rank',
      target: { type: 'user', id: user.id, label: user.username },
      before: { rank: before.rank, locked: before.rank_locked },
      after: { rank: user.rank, locked: user.rank_locked },
      at: c.at,
    });
    if (rank !== before.rank) {
      await tx
        .insertInto('notifications')
        .values({ user_id: user.id, kind: 'rank', message: `Staff set your rank to ${rankNames[rank]}.`, link: `/u/${user.username}`, actor_id: c.by, created_at: c.at })
        .execute();
    }
    return user;
  });
}

/** Creates a category, with its line in the staff log. A taken slug throws the unique violation. */
export async function addCategory(db: Db, c: Insertable<CategoriesTable>, by: number) {
  return db.transaction().execute(async (tx) => {
    const category = await createCategory(tx, c);
    await logAction(tx, {
      actorId: by,
      action: 'category.create',
      target: { type: 'category', id: category.id, label: c.name },
      after: {
        name: c.name, slug: c.slug, description: c.description, color: c.color,
        read_role: c.read_role, read_rank: c.read_rank, post_role: c.post_role, post_rank: c.post_rank, position: c.position,
      },
    });
    return category;
  });
}

export function members(db: Db, limit: number) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'email', 'role', 'rank', 'rank_locked', 'created_at', 'last_seen_at'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function adminCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return row.n;
}

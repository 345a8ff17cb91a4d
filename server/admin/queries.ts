import type { Db } from '../db/index.ts';

// Exact counts: the admin page is not a hot path, so a scan of posts is affordable here.
export function communityTotals(db: Db) {
  return db
    .selectNoFrom((eb) => [
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).as('members'),
      eb.selectFrom('threads').select(eb.fn.countAll<number>().as('n')).where('deleted_at', 'is', null).as('threads'),
      eb.selectFrom('posts').select(eb.fn.countAll<number>().as('n')).where('deleted_at', 'is', null).as('posts'),
    ])
    .executeTakeFirstOrThrow();
}

export function members(db: Db, limit: number) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'email', 'role', 'rank', 'created_at', 'last_seen_at'])
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

// The reputation check: every member's cached total against what their events add up to. The
// ledger keeps the floor itself (an event records only the points that moved), so a total is 1
// plus the sum of its events; anything else is a difference to look into.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { REPUTATION_FLOOR } from './rules.ts';

export interface Difference {
  id: number;
  username: string;
  total: number;
  fromEvents: number;
}

/** The members whose total is not what their events say, in one set-based pass. */
export async function reputationDifferences(db: Db): Promise<{ members: number; differences: Difference[] }> {
  const rows = await db
    .selectFrom('users as u')
    .leftJoin(
      (eb) => eb.selectFrom('reputation_events').select(['user_id', sql<number>`sum(points)::int`.as('points')]).groupBy('user_id').as('r'),
      (join) => join.onRef('r.user_id', '=', 'u.id'),
    )
    .select(['u.id', 'u.username', 'u.reputation as total', sql<number>`${REPUTATION_FLOOR} + coalesce(r.points, 0)`.as('fromEvents')])
    .execute();
  return { members: rows.length, differences: rows.filter((r) => r.total !== r.fromEvents) };
}

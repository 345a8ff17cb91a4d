// The reputation check: every member's cached total against what their events add up to. The
// ledger keeps the floor itself (an event records only the points that moved), so a total is 1
// plus the sum of its events; anything else is a difference to look into. The day's gains from
// votes kept beside the total (migrations/0033) are checked the same way: the day's events add up
// to them.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { towardsCap } from './ledger.ts';
import { REPUTATION_FLOOR } from './rules.ts';

export interface Difference {
  id: number;
  username: string;
  total: number;
  fromEvents: number;
  /** The day's gains from votes as kept, and as the day's events add them up. */
  gains: number;
  gainsFromEvents: number;
}

/** The members whose total or day's gains are not what their events say, in one set-based pass. */
export async function reputationDifferences(db: Db): Promise<{ members: number; differences: Difference[] }> {
  const rows = await db
    .selectFrom('users as u')
    .leftJoin(
      (eb) => eb.selectFrom('reputation_events').select(['user_id', sql<number>`sum(points)::int`.as('points')]).groupBy('user_id').as('r'),
      (join) => join.onRef('r.user_id', '=', 'u.id'),
    )
    .select([
      'u.id', 'u.username', 'u.reputation as total', sql<number>`${REPUTATION_FLOOR} + coalesce(r.points, 0)`.as('fromEvents'),
      'u.vote_gains as gains',
      sql<number>`case when u.vote_gains_on is null then 0 else coalesce((
        select sum(e.points) from reputation_events e
        where e.user_id = u.id and ${towardsCap('e')}
          and e.created_at >= u.vote_gains_on::timestamp at time zone 'utc'
          and e.created_at < (u.vote_gains_on + 1)::timestamp at time zone 'utc'), 0)::int end`.as('gainsFromEvents'),
    ])
    .execute();
  return { members: rows.length, differences: rows.filter((r) => r.total !== r.fromEvents || r.gains !== r.gainsFromEvents) };
}

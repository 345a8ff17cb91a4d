// The leaderboard's reads: the members with the most reputation, or the most accepted answers, in
// a period. Banned members are left off (a ban has no end: they are no longer of the community);
// suspended and silenced ones stay, their standing earned before.
//
// Reputation counts every event, wherever its post is, as the profile's total does (a number, not
// the post). Accepted answers are counted only on posts anyone may find (public posts of listed
// threads in categories a guest reads: access/posts.ts), as the page is public and each one is a
// post it would point at.
import { sql, type SelectQueryBuilder } from 'kysely';
import { planEachCall, type Db } from '../db/index.ts';
import { visiblePosts } from '../access/posts.ts';
import { standingEvent } from '../reputation/ledger.ts';
import { LEADERS } from './rules.ts';

// The period boards end with planEachCall: a week and a month are the same statement with another
// start, and a plan kept for one (or a generic one) may scan every event for the other. Each board
// is read once a minute per process (./routes.ts), so planning each read costs nothing that shows.

export interface Leader {
  id: number;
  username: string;
  rank: number;
  n: number;
}

/**
 * The members with the most reputation: their total for all time (`since` null), the sum of their
 * events since then otherwise. An undone vote or accept is a reversing event, so the sum nets it
 * out (and one undone now of a vote before the period counts against this period, as it happened now).
 */
export function reputationLeaders(db: Db, since: Date | null): Promise<Leader[]> {
  if (since === null) {
    return db
      .selectFrom('users as u')
      .select(['u.id', 'u.username', 'u.rank', 'u.reputation as n'])
      .where('u.banned_at', 'is', null)
      .where('u.reputation', '>', 1)
      .orderBy('u.reputation', 'desc')
      .orderBy('u.id')
      .limit(LEADERS)
      .execute();
  }
  const gained = db
    .selectFrom('reputation_events as r')
    .select(['r.user_id', sql<number>`sum(r.points)::int`.as('n')])
    .where('r.created_at', '>=', since)
    .groupBy('r.user_id')
    .having(sql<number>`sum(r.points)`, '>', 0);
  return leadersOf(db, gained);
}

/** The members (not banned) with the highest counts, and the count, from a query of member and count. */
function leadersOf(db: Db, counts: SelectQueryBuilder<any, any, { user_id: number; n: number }>): Promise<Leader[]> {
  return db
    .selectFrom(counts.as('g'))
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['u.id', 'u.username', 'u.rank', 'g.n'])
    .where('u.banned_at', 'is', null)
    .orderBy('g.n', 'desc')
    .orderBy('u.id')
    .limit(LEADERS)
    .modifyEnd(planEachCall)
    .execute();
}

/**
 * The members with the most accepted answers whose accept falls in the period (all time: `since`
 * null), from the ledger: each accept writes one `answer_accepted` event for the answer's author,
 * and undoing it (or accepting another answer) writes its reversal, so the accepts that stand
 * are the events not reversed.
 */
export function acceptedLeaders(db: Db, since: Date | null): Promise<Leader[]> {
  const accepted = visiblePosts(db, null)
    .innerJoin('reputation_events as r', 'r.post_id', 'p.id')
    .select(['r.user_id', sql<number>`count(*)::int`.as('n')])
    .where('t.kind', '=', 'question')
    .where('r.kind', '=', 'answer_accepted')
    .where(standingEvent)
    .$if(since !== null, (q) => q.where('r.created_at', '>=', since!))
    .groupBy('r.user_id');
  return leadersOf(db, accepted);
}

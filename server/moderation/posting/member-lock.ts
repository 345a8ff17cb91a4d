// A member's limits (posting interval, duplicates, the hourly cap, slow mode; the daily flag cap)
// are checked against what they already wrote, then the new post or flag is written. Requests of
// one member sent at once would all pass the check before any is written, so the check and the
// write run in one transaction holding this lock, and the member's next request is checked only
// once the one before it is committed (or rolled back).
//
// A transaction-scoped advisory lock rather than a lock on the member's row: the users row is
// written by much else (the post and thread counters' triggers, reputation, flag records, ranks),
// and holding it through the checks would make all of that wait for a post to be written, and
// would tie the lock order to theirs. The advisory lock is touched by nothing but these writes,
// costs one statement, and goes when the transaction ends, whatever ends it.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';

/**
 * The first key of the two-key form: one lock per kind of limit, so that a member's flag is not
 * held up by their post. Other advisory locks of the app (Kysely's migration lock) use the one-key
 * form, which PostgreSQL keeps apart from this one.
 */
const kinds = { posting: 1, flagging: 2, uploading: 3 } as const;

export type LimitKind = keyof typeof kinds;

/**
 * Waits for, then holds until the transaction ends, the member's lock for this kind of limit.
 * Take it first in the transaction, before any row lock, so that no two writes wait on each
 * other in opposite orders.
 */
export async function lockMemberLimit(tx: Db, kind: LimitKind, memberId: number): Promise<void> {
  // Outside a transaction the lock would be let go as soon as it was taken.
  if (!tx.isTransaction) throw new Error(`lockMemberLimit(${kind}) needs a transaction`);
  // The second key is an int4: ids past 2^31 wrap round, and two members sharing a lock only
  // wait for each other.
  await sql`select pg_advisory_xact_lock(${kinds[kind]}::int4, ${memberId % 2 ** 31}::int4)`.execute(tx);
}

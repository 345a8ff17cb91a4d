// The rank engine: reads members' facts in batches, asks the rules which rank each should hold,
// and writes the changes with their notifications. The minute job runs it for the members whose
// facts moved (badge_due), a daily job for everyone (rank 3's window moves with the days even
// when a member does nothing).
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { loadSettings } from '../moderation/settings/queries.ts';
import { rankNames } from '../permissions.ts';
import { memberFacts, siteFacts, siteFactsKept, standings, type Members } from './queries.ts';
import { earnedRank, rankDecision, rankThresholds } from './rules.ts';

/** Members whose facts are read at once in a run for a list: a bounded statement and memory. */
const BATCH = 5_000;

interface Change {
  id: number;
  username: string;
  from: number;
  to: number;
}

/** The notice of a new rank: what it is, and where to see what it allows and what comes next. */
export function rankMessage(to: number, from: number): string {
  const name = rankNames[to];
  if (to < from) return `Your rank is now ${name}: ${rankNames[from]} needs its requirements met again. Your profile shows what is missing.`;
  return `You are now ${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}. Your profile shows why, and what the next rank needs.`;
}

/**
 * Reviews the ranks of these members (or of everyone): promotes as earned, through several ranks
 * at once if need be, and drops an Advocate below the bar back to Contributor once the grace
 * period is over. Never moves a rank set by hand, a banned member's, or an Ambassador's.
 *
 * Idempotent, and safe to run in several processes at once: each change is one statement that
 * moves the rank only from the rank it was read at (a conditional update, which waits for a
 * concurrent one and then finds the rank already moved) and writes the notification for exactly
 * the rows it moved, so a notice is never doubled.
 */
export async function reviewRanks(
  db: Db,
  userIds: number[] | 'all',
  now: Date,
  log: FastifyBaseLogger,
): Promise<{ promoted: number; demoted: number }> {
  if (userIds !== 'all' && userIds.length === 0) return { promoted: 0, demoted: 0 };
  const t = rankThresholds(await loadSettings(db));
  // Counted beside the first batch's facts (each is a pass over the posts); every batch awaits
  // it with its own reads, so a failure reaches the caller with the first.
  const counting = userIds === 'all' ? siteFacts(db, now, t) : siteFactsKept(db, now, t);
  const result = { promoted: 0, demoted: 0 };
  const batches: Members[] = [];
  if (userIds === 'all') batches.push('all');
  else for (let i = 0; i < userIds.length; i += BATCH) batches.push(userIds.slice(i, i + BATCH));

  for (const members of batches) {
    const [who, facts, site] = await Promise.all([standings(db, members), memberFacts(db, members, now, t), counting]);
    const changes: Change[] = [];
    for (const s of who) {
      const f = facts.get(s.id);
      // A member with nothing recorded earns nothing; only a drop from rank 3 needs a look.
      if (!f && s.rank !== 3) continue;
      const to = f ? rankDecision(s, earnedRank(f, site, t), t, now) : rankDecision(s, 0, t, now);
      if (to !== null && to !== s.rank) changes.push({ id: s.id, username: s.username, from: s.rank, to });
    }
    if (!changes.length) continue;
    try {
      const moved = await applyChanges(db, changes, now);
      for (const c of moved) c.to > c.from ? result.promoted++ : result.demoted++;
    } catch (err) {
      log.error({ err, members: changes.length }, 'ranks: the batch of rank changes could not be written; the next review tries again');
      throw err;
    }
  }
  if (result.promoted || result.demoted) log.info({ ...result, members: userIds === 'all' ? 'all' : userIds.length }, 'ranks: reviewed');
  return result;
}

/**
 * Moves each member's rank from `from` to `to`, and notifies those it moved, in one statement
 * (one transaction). The update skips a member whose rank is no longer `from` (another process
 * moved it meanwhile) or who was locked or banned since the facts were read.
 */
async function applyChanges(db: Db, changes: Change[], now: Date) {
  const rows = sql.join(changes.map((c) => sql`(${c.id}::bigint, ${c.from}::int, ${c.to}::int, ${rankMessage(c.to, c.from)}::text)`));
  const result = await sql<{ user_id: number; from: number; to: number }>`
    with change (id, from_rank, to_rank, message) as (values ${rows}),
    moved as (
      update users u set rank = c.to_rank, rank_changed_at = ${now}
      from change c
      where u.id = c.id and u.rank = c.from_rank and not u.rank_locked and u.banned_at is null
      returning u.id, u.username, c.from_rank, c.to_rank, c.message
    ),
    noticed as (
      insert into notifications (user_id, kind, message, link, created_at)
      select id, 'rank', message, '/u/' || username, ${now} from moved
    )
    select m.id as user_id, m.from_rank as "from", m.to_rank as "to" from moved m`.execute(db);
  return result.rows;
}

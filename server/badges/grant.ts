// Granting badges: each rule's rows become grants in one statement per badge, and each grant
// that statement made tells its member.
//
// Idempotent by the table's key (member, badge, grant key): a grant that exists — held, or
// revoked by staff — is left as it is (on conflict do nothing), so a rule run twice, or by two
// processes at once, grants nothing twice; and only the rows the insert returns, the grants it
// made, are told, so nobody hears of a badge twice either. A grant earned long ago (the first
// backfill of a community that already has years of posts) is kept quiet: a member is told of
// what they earned in the last two days, not of forty badges at once.
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';
import { badges, type Badge, type Scope } from './definitions.ts';

const TELL_WITHIN = "interval '2 days'";

/** The notice a member gets for a badge. */
export const badgeMessage = (b: Pick<Badge, 'name' | 'tier'>) => `You earned the ${b.tier} badge “${b.name}”.`;

export const badgeLink = (slug: string) => `/badges/${slug}`;

/** Grants one badge to whoever in the scope earned it and does not hold it; answers how many grants were made. */
export async function grantBadge(db: Db, badge: Badge, scope: Scope, now: Date): Promise<number> {
  if (!badge.rule) return 0;
  if (scope !== 'all' && scope.members.length === 0) return 0;
  const { rows } = await sql<{ granted: number }>`
    with earned as (${badge.rule(scope)}),
    granted as (
      insert into user_badges (user_id, badge, grant_key, post_id, granted_at)
      select e.user_id, ${badge.slug}, e.grant_key, e.post_id, least(e.granted_at, ${now}::timestamptz)
      from earned e join users u on u.id = e.user_id
      where u.banned_at is null
      on conflict (user_id, badge, grant_key) do nothing
      returning user_id, post_id, granted_at
    ),
    told as (
      insert into notifications (user_id, kind, post_id, thread_id, message, link, created_at)
      select g.user_id, 'badge', g.post_id, p.thread_id, ${badgeMessage(badge)}, ${badgeLink(badge.slug)}, ${now}::timestamptz
      from granted g left join posts p on p.id = g.post_id
      where g.granted_at > ${now}::timestamptz - ${sql.raw(TELL_WITHIN)}
      returning 1
    )
    select (select count(*) from granted)::int as granted, (select count(*) from told)::int as told`.execute(db);
  return rows[0]?.granted ?? 0;
}

/** Every badge for the scope, one after another; a badge whose rule fails is logged and the rest go on. */
export async function grantBadges(db: Db, scope: Scope, now: Date, log: FastifyBaseLogger): Promise<{ granted: number; failed: string[] }> {
  let granted = 0;
  const failed: string[] = [];
  for (const badge of badges) {
    try {
      granted += await grantBadge(db, badge, scope, now);
    } catch (err) {
      // One broken rule must not keep every other badge from its members; the next run tries again.
      log.error({ err, badge: badge.slug, members: scope === 'all' ? 'all' : scope.members.length }, 'badges: a rule failed');
      failed.push(badge.slug);
    }
  }
  return { granted, failed };
}

/** How many members the due job takes at a time. */
export const DUE_BATCH = 500;

/**
 * The members whose facts moved (badge_due), a batch at a time: taken, their badges granted, and
 * `review` run for them (their rank). Answers the batch's members.
 *
 * The batch is taken (deleted) in a statement of its own, skipping rows another process is
 * taking, so several processes share the work; it is not held for the grants that follow, as a
 * write marking one of its members due again (insert … on conflict) would wait on the
 * taken row until they were done: a vote waited two seconds behind a batch in the bench. A batch
 * that fails is marked due again for the next run. A badge earned once is looked for only among
 * the members who have never had it (held or revoked), which after the first weeks is most of
 * the work a batch would otherwise do again each minute.
 */
export async function takeDue(
  db: Db,
  now: Date,
  log: FastifyBaseLogger,
  review: (db: Db, members: number[]) => Promise<void> = async () => {},
): Promise<number[]> {
  const { rows } = await sql<{ user_id: number; badges: boolean }>`
    delete from badge_due where user_id in (
      select user_id from badge_due order by since limit ${DUE_BATCH} for update skip locked
    ) returning user_id, badges`.execute(db);
  const members = rows.map((r) => r.user_id);
  if (members.length === 0) return members;
  // Those whose badge facts moved; the others only read (migrations/0034), which moves a rank.
  const forBadges = rows.filter((r) => r.badges).map((r) => r.user_id);
  try {
    if (forBadges.length) {
      const had = await db.selectFrom('user_badges').select(['user_id', 'badge']).where('user_id', 'in', forBadges).where('grant_key', '=', 0).execute();
      const hadBy = new Map<string, Set<number>>();
      for (const h of had) hadBy.set(h.badge, (hadBy.get(h.badge) ?? new Set()).add(h.user_id));
      for (const badge of badges) {
        if (badge.daily) continue;
        const scope = badge.multiple ? forBadges : forBadges.filter((m) => !hadBy.get(badge.slug)?.has(m));
        await grantBadge(db, badge, { members: scope }, now);
      }
    }
    await review(db, members);
  } catch (err) {
    // Due again, each for what they were due for.
    await sql`
      insert into badge_due (user_id, badges) select * from unnest(${members}::bigint[], ${rows.map((r) => r.badges)}::boolean[])
      on conflict (user_id) do update set badges = badge_due.badges or excluded.badges`.execute(db);
    throw err;
  }
  log.debug({ members: members.length }, 'badges: due members reviewed');
  return members;
}

/** At most this many batches in one run of the due job: a flood waits for the next minute rather than hold one worker for long. */
const DUE_BATCHES_PER_RUN = 20;

/** The minute job: the due members, batch by batch, until none are left (or the run has done its share). */
export async function runDue(db: Db, log: FastifyBaseLogger, now: () => Date, review?: (db: Db, members: number[]) => Promise<void>) {
  let reviewed = 0;
  for (let i = 0; i < DUE_BATCHES_PER_RUN; i++) {
    const batch = await takeDue(db, now(), log, review);
    reviewed += batch.length;
    if (batch.length < DUE_BATCH) break;
  }
  if (reviewed) log.info({ members: reviewed }, 'badges: due members reviewed');
  return reviewed;
}

/**
 * The daily job, and the backfill: every badge for everyone. It catches what time alone earns
 * (a streak's last day, an anniversary) and anything a due batch missed.
 */
export async function runAll(db: Db, log: FastifyBaseLogger, now: () => Date) {
  const started = performance.now();
  const result = await grantBadges(db, 'all', now(), log);
  log.info({ granted: result.granted, failed: result.failed, ms: Math.round(performance.now() - started) }, 'badges: the full run is done');
  return result;
}

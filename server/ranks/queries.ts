// The facts ranks are computed from, read for a batch of members at once: a few grouped queries,
// each over one kind of fact, whatever the number of members (never one query per member).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { publicPost } from '../access/posts.ts';
import { publicThread } from '../access/threads.ts';
import { standingEvent } from '../reputation/ledger.ts';
import type { MemberFacts, RankThresholds, SiteFacts, Standing } from './rules.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Whom a batch is about: these members, or every one ('all': one pass over each table, no list sent). */
export type Members = number[] | 'all';

export const noFacts = (): MemberFacts => ({
  daysVisited: 0,
  threadsEntered: 0,
  postsRead: 0,
  readingSeconds: 0,
  likesGiven: 0,
  likesReceived: 0,
  repliedThreads: 0,
  recent: { daysVisited: 0, threadsEntered: 0, postsRead: 0, repliedThreads: 0, likesGiven: 0, likesReceived: 0, postsUpheld: 0, sanctions: 0 },
});

/** The start of rank 3's window and of its sanction-free period, as of `now`. */
export function windowOf(now: Date, t: RankThresholds) {
  const since = new Date(now.getTime() - t.rank3.windowDays * DAY);
  return {
    since,
    /** member_days.day is a calendar day (UTC): the window's first whole day. */
    sinceDay: since.toISOString().slice(0, 10),
    sanctionsSince: new Date(now.getTime() - t.rank3.sanctionFreeDays * DAY),
  };
}

/**
 * Each member's facts, by member; a member with none gets zeros. Every count is over what the
 * member did up to `now`, so a review run for a moment in the past (a test's clock) reads the same.
 */
export async function memberFacts(db: Db, members: Members, now: Date, t: RankThresholds): Promise<Map<number, MemberFacts>> {
  if (members !== 'all' && members.length === 0) return new Map();
  const { since, sinceDay, sanctionsSince } = windowOf(now, t);
  // `= any(array)` keeps the statement the same whatever the batch's size, so it is planned like one.
  const among = (column: string) => (members === 'all' ? sql<boolean>`true` : sql<boolean>`${sql.ref(column)} = any(${members}::bigint[])`);

  const [days, given, received, replied, upheld, sanctions] = await Promise.all([
    db
      .selectFrom('member_days')
      .select([
        'user_id',
        sql<number>`count(*)::int`.as('days'),
        sql<number>`coalesce(sum(threads_entered), 0)::int`.as('entered'),
        sql<number>`coalesce(sum(posts_read), 0)::int`.as('read'),
        sql<number>`coalesce(sum(reading_seconds), 0)::int`.as('seconds'),
        sql<number>`count(*) filter (where day >= ${sinceDay}::date)::int`.as('recent_days'),
        sql<number>`coalesce(sum(threads_entered) filter (where day >= ${sinceDay}::date), 0)::int`.as('recent_entered'),
        sql<number>`coalesce(sum(posts_read) filter (where day >= ${sinceDay}::date), 0)::int`.as('recent_read'),
      ])
      .where(among('member_days.user_id'))
      .where('day', '<=', now.toISOString().slice(0, 10))
      .groupBy('user_id')
      .execute(),
    db
      .selectFrom('post_likes')
      .select(['user_id', sql<number>`count(*)::int`.as('all'), sql<number>`count(*) filter (where created_at >= ${since})::int`.as('recent')])
      .where(among('post_likes.user_id'))
      .where('created_at', '<=', now)
      .groupBy('user_id')
      .execute(),
    // Likes on the member's posts, whatever became of the post since: the like was given.
    db
      .selectFrom('posts as p')
      .innerJoin('post_likes as l', 'l.post_id', 'p.id')
      .select(['p.user_id', sql<number>`count(*)::int`.as('all'), sql<number>`count(*) filter (where l.created_at >= ${since})::int`.as('recent')])
      .where(among('p.user_id'))
      .where('p.like_count', '>', 0)
      .where('l.created_at', '<=', now)
      .groupBy('p.user_id')
      .execute(),
    // Threads they replied in: a public post of theirs after a thread's first.
    db
      .selectFrom('posts as p')
      .select([
        'p.user_id',
        sql<number>`count(distinct p.thread_id)::int`.as('all'),
        sql<number>`count(distinct p.thread_id) filter (where p.created_at >= ${since})::int`.as('recent'),
      ])
      .where(among('p.user_id'))
      .where('p.post_number', '>', 1)
      .where(publicPost)
      .where('p.created_at', '<=', now)
      .groupBy('p.user_id')
      .execute(),
    // Their posts whose spam or offensive flag a moderator upheld within the window.
    db
      .selectFrom('flags as f')
      .innerJoin('posts as p', 'p.id', 'f.post_id')
      .select(['p.user_id', sql<number>`count(distinct p.id)::int`.as('n')])
      .where(among('p.user_id'))
      .where('f.outcome', '=', 'agreed')
      .where('f.reason', 'in', ['spam', 'offensive'])
      .where('f.resolved_at', '>=', since)
      .where('f.resolved_at', '<=', now)
      .groupBy('p.user_id')
      .execute(),
    // A warning says something; a silence, suspension or ban in force at any time in the period
    // (one lifted early counts until it was lifted) says the member was kept from the community.
    db
      .selectFrom('sanctions')
      .select(['user_id', sql<number>`count(*)::int`.as('n')])
      .where(among('sanctions.user_id'))
      .where('kind', '<>', 'warn')
      .where('starts_at', '<=', now)
      .where(sql<boolean>`coalesce(lifted_at, ends_at, 'infinity'::timestamptz) >= ${sanctionsSince}`)
      .groupBy('user_id')
      .execute(),
  ]);

  const facts = new Map<number, MemberFacts>();
  if (members !== 'all') for (const id of members) facts.set(id, noFacts());
  const of = (id: number) => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = noFacts()));
    return f;
  };
  for (const r of days) {
    const f = of(r.user_id);
    Object.assign(f, { daysVisited: r.days, threadsEntered: r.entered, postsRead: r.read, readingSeconds: r.seconds });
    Object.assign(f.recent, { daysVisited: r.recent_days, threadsEntered: r.recent_entered, postsRead: r.recent_read });
  }
  for (const r of given) {
    const f = of(r.user_id);
    f.likesGiven = r.all;
    f.recent.likesGiven = r.recent;
  }
  for (const r of received) {
    const f = of(r.user_id);
    f.likesReceived = r.all;
    f.recent.likesReceived = r.recent;
  }
  for (const r of replied) {
    const f = of(r.user_id);
    f.repliedThreads = r.all;
    f.recent.repliedThreads = r.recent;
  }
  for (const r of upheld) of(r.user_id).recent.postsUpheld = r.n;
  for (const r of sanctions) of(r.user_id).recent.sanctions = r.n;
  return facts;
}

/** The public threads and posts new in rank 3's window: what its shares are of. */
export async function siteFacts(db: Db, now: Date, t: RankThresholds): Promise<SiteFacts> {
  const { since } = windowOf(now, t);
  const [threads, posts] = await Promise.all([
    db
      .selectFrom('threads as t')
      .select(sql<number>`count(*)::int`.as('n'))
      .where(publicThread)
      .where('t.created_at', '>=', since)
      .where('t.created_at', '<=', now)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('posts as p')
      .select(sql<number>`count(*)::int`.as('n'))
      .where(publicPost)
      .where('p.created_at', '>=', since)
      .where('p.created_at', '<=', now)
      .executeTakeFirstOrThrow(),
  ]);
  return { newThreads: threads.n, newPosts: posts.n };
}

/**
 * The community's new threads and posts over rank 3's window are a count over every post of
 * the last hundred days, and move by a few in a day's thousands: a profile, /ranks and the review of
 * the members due each minute read a copy up to ten minutes old (per database, per window)
 * rather than counting them each time. The daily review of everyone counts them afresh.
 *
 * Kept by database name, not by the Db object: the minute job reviews each batch in a
 * transaction of its own (a new Db each time), and tests run several databases in one process.
 */
const SITE_TTL_MS = 10 * 60 * 1000;
const keptSite = new Map<string, { until: number; value: Promise<SiteFacts> }>();

export async function siteFactsKept(db: Db, now: Date, t: RankThresholds): Promise<SiteFacts> {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
  const key = `${rows[0]!.name}:${t.rank3.windowDays}:${now.toISOString().slice(0, 10)}`;
  const hit = keptSite.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = siteFacts(db, now, t);
  const entry = { until: Date.now() + SITE_TTL_MS, value };
  // Yesterday's windows and dropped databases are not worth keeping.
  for (const [k, e] of keptSite) if (e.until <= Date.now()) keptSite.delete(k);
  keptSite.set(key, entry);
  // A failed count is not kept: the caller gets the error, the next one counts again.
  value.catch(() => {
    if (keptSite.get(key) === entry) keptSite.delete(key);
  });
  return value;
}

export interface MemberStanding extends Standing {
  id: number;
  username: string;
}

/** Members' rank and what decides whether the engine may move it. */
export async function standings(db: Db, members: Members): Promise<MemberStanding[]> {
  let q = db
    .selectFrom('users')
    .select(['id', 'username', 'rank', 'rank_locked', 'banned_at', 'rank_changed_at'])
    .orderBy('id');
  if (members !== 'all') q = q.where('id', '=', sql<number>`any(${members}::bigint[])`);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    rank: r.rank,
    locked: r.rank_locked,
    banned: r.banned_at !== null,
    changedAt: r.rank_changed_at,
  }));
}

export interface AmbassadorImpact {
  id: number;
  username: string;
  answersAccepted: number;
  membersHelped: number;
  likesReceived: number;
}

/**
 * The Ambassadors (rank 4, not banned), each with what they did for others over the last `days`:
 * answers of theirs accepted (an accept since undone does not count), the distinct members whose
 * questions those answered, and likes on their posts. Few members hold rank 4, so each count is
 * a subquery per Ambassador over that member's own rows.
 */
export function ambassadors(db: Db, now: Date, days = 90): Promise<AmbassadorImpact[]> {
  const since = new Date(now.getTime() - days * DAY);
  return db
    .selectFrom('users as u')
    .select((eb) => [
      'u.id',
      'u.username',
      eb
        .selectFrom('reputation_events as r')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('r.user_id', '=', 'u.id')
        .where('r.kind', '=', 'answer_accepted')
        .where('r.created_at', '>=', since)
        .where('r.created_at', '<=', now)
        .where(standingEvent)
        .as('answersAccepted'),
      eb
        .selectFrom('reputation_events as r')
        .innerJoin('posts as p', 'p.id', 'r.post_id')
        .innerJoin('threads as t', 't.id', 'p.thread_id')
        .select(sql<number>`count(distinct t.user_id)::int`.as('n'))
        .whereRef('r.user_id', '=', 'u.id')
        .where('r.kind', '=', 'answer_accepted')
        .where('r.created_at', '>=', since)
        .where('r.created_at', '<=', now)
        .where(standingEvent)
        .whereRef('t.user_id', '<>', 'u.id')
        .as('membersHelped'),
      eb
        .selectFrom('posts as p')
        .innerJoin('post_likes as l', 'l.post_id', 'p.id')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('p.user_id', '=', 'u.id')
        // A post never liked is not looked up in the likes.
        .where('p.like_count', '>', 0)
        .where('l.created_at', '>=', since)
        .where('l.created_at', '<=', now)
        .as('likesReceived'),
    ])
    .where('u.rank', '=', 4)
    .where('u.banned_at', 'is', null)
    .orderBy('u.username')
    .execute() as Promise<AmbassadorImpact[]>;
}

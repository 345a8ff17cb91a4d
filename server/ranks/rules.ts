// Ranks from facts: which rank a member's facts earn, each requirement of a rank with what they
// have and what it needs, and why they hold the rank they hold. Pure: the facts, the thresholds
// and the clock come in; the engine (engine.ts) and the profile both ask here, so a member is
// never told one thing and ranked by another.
import type { Settings } from '../moderation/settings/queries.ts';
import { rankNames } from '../permissions.ts';

export type Rank = 0 | 1 | 2 | 3 | 4;
/** The ranks the engine gives from facts; 4 comes by nomination. */
export type EarnedRank = 0 | 1 | 2 | 3;

/** What a member did: in all, and over rank 3's window (the last `rank3.windowDays` days). */
export interface MemberFacts {
  daysVisited: number;
  threadsEntered: number;
  postsRead: number;
  readingSeconds: number;
  likesGiven: number;
  likesReceived: number;
  /** Threads they replied in (a post after the first). */
  repliedThreads: number;
  recent: {
    daysVisited: number;
    threadsEntered: number;
    postsRead: number;
    repliedThreads: number;
    likesGiven: number;
    likesReceived: number;
    /** Their posts with a spam or offensive flag upheld by a moderator. */
    postsUpheld: number;
    /** Silences, suspensions and bans in force at some time in the sanction-free period. */
    sanctions: number;
  };
}

/** What the whole community did over rank 3's window: what its percentages are of. */
export interface SiteFacts {
  newThreads: number;
  newPosts: number;
}

export interface RankThresholds {
  rank1: { threadsEntered: number; postsRead: number; readingMinutes: number };
  rank2: {
    daysVisited: number;
    likesGiven: number;
    likesReceived: number;
    repliedThreads: number;
    threadsEntered: number;
    postsRead: number;
    readingMinutes: number;
  };
  rank3: {
    windowDays: number;
    daysVisited: number;
    repliedThreads: number;
    threadsEnteredPercent: number;
    threadsEnteredCap: number;
    postsReadPercent: number;
    postsReadCap: number;
    likesGiven: number;
    likesReceived: number;
    upheldMax: number;
    sanctionFreeDays: number;
    graceDays: number;
  };
}

/** The thresholds as the settings keep them (server/moderation/settings, section Ranks). */
export function rankThresholds(s: Settings): RankThresholds {
  return {
    rank1: { threadsEntered: s.rank1_threads_entered, postsRead: s.rank1_posts_read, readingMinutes: s.rank1_reading_minutes },
    rank2: {
      daysVisited: s.rank2_days_visited,
      likesGiven: s.rank2_likes_given,
      likesReceived: s.rank2_likes_received,
      repliedThreads: s.rank2_replied_threads,
      threadsEntered: s.rank2_threads_entered,
      postsRead: s.rank2_posts_read,
      readingMinutes: s.rank2_reading_minutes,
    },
    rank3: {
      windowDays: s.rank3_window_days,
      daysVisited: s.rank3_days_visited,
      repliedThreads: s.rank3_replied_threads,
      threadsEnteredPercent: s.rank3_threads_entered_percent,
      threadsEnteredCap: s.rank3_threads_entered_cap,
      postsReadPercent: s.rank3_posts_read_percent,
      postsReadCap: s.rank3_posts_read_cap,
      likesGiven: s.rank3_likes_given,
      likesReceived: s.rank3_likes_received,
      upheldMax: s.rank3_upheld_max,
      sanctionFreeDays: s.rank3_sanction_free_days,
      graceDays: s.rank3_grace_days,
    },
  };
}

export interface Requirement {
  key: string;
  /** What it asks, in words ("Threads entered"). */
  label: string;
  have: number;
  need: number;
  /** `at most`: have must stay at or below need (posts upheld, sanctions); else at least. */
  atMost: boolean;
  met: boolean;
}

const atLeast = (key: string, label: string, have: number, need: number): Requirement => ({ key, label, have, need, atMost: false, met: have >= need });
const atMostOf = (key: string, label: string, have: number, need: number): Requirement => ({ key, label, have, need, atMost: true, met: have <= need });
const minutes = (seconds: number) => Math.floor(seconds / 60);

/**
 * A share of what was new, rounded up, and never more than the cap: on a busy forum a quarter
 * of every post would ask more reading than anyone does.
 */
export function shareOf(total: number, percent: number, cap: number): number {
  return Math.min(cap, Math.ceil((total * percent) / 100));
}

/** What rank `rank` asks, each with what the member has. */
export function requirementsFor(rank: 1 | 2 | 3, f: MemberFacts, site: SiteFacts, t: RankThresholds): Requirement[] {
  if (rank === 1) {
    return [
      atLeast('threads_entered', 'Threads entered', f.threadsEntered, t.rank1.threadsEntered),
      atLeast('posts_read', 'Posts read', f.postsRead, t.rank1.postsRead),
      atLeast('reading_minutes', 'Minutes spent reading', minutes(f.readingSeconds), t.rank1.readingMinutes),
    ];
  }
  if (rank === 2) {
    const r = t.rank2;
    return [
      atLeast('days_visited', 'Days visited', f.daysVisited, r.daysVisited),
      atLeast('likes_given', 'Likes given', f.likesGiven, r.likesGiven),
      atLeast('likes_received', 'Likes received', f.likesReceived, r.likesReceived),
      atLeast('replied_threads', 'Threads replied in', f.repliedThreads, r.repliedThreads),
      atLeast('threads_entered', 'Threads entered', f.threadsEntered, r.threadsEntered),
      atLeast('posts_read', 'Posts read', f.postsRead, r.postsRead),
      atLeast('reading_minutes', 'Minutes spent reading', minutes(f.readingSeconds), r.readingMinutes),
    ];
  }
  const r = t.rank3;
  const days = r.windowDays;
  return [
    atLeast('days_visited', `Days visited, of the last ${days}`, f.recent.daysVisited, r.daysVisited),
    atLeast('replied_threads', `Threads replied in, last ${days} days`, f.recent.repliedThreads, r.repliedThreads),
    atLeast('threads_entered', `Threads entered, last ${days} days (${r.threadsEnteredPercent}% of new threads)`, f.recent.threadsEntered, shareOf(site.newThreads, r.threadsEnteredPercent, r.threadsEnteredCap)),
    atLeast('posts_read', `Posts read, last ${days} days (${r.postsReadPercent}% of new posts)`, f.recent.postsRead, shareOf(site.newPosts, r.postsReadPercent, r.postsReadCap)),
    atLeast('likes_given', `Likes given, last ${days} days`, f.recent.likesGiven, r.likesGiven),
    atLeast('likes_received', `Likes received, last ${days} days`, f.recent.likesReceived, r.likesReceived),
    atMostOf('posts_upheld', `Posts upheld as spam or offensive, last ${days} days`, f.recent.postsUpheld, r.upheldMax),
    atMostOf('sanctions', `Silences, suspensions and bans in the last ${r.sanctionFreeDays} days`, f.recent.sanctions, 0),
  ];
}

/**
 * The rank the facts earn: each rank in turn, so a member who meets several at once climbs all
 * of them, and one who meets rank 3's window without rank 2's totals does not skip a step.
 */
export function earnedRank(f: MemberFacts, site: SiteFacts, t: RankThresholds): EarnedRank {
  let rank: EarnedRank = 0;
  for (const next of [1, 2, 3] as const) {
    if (!requirementsFor(next, f, site, t).every((r) => r.met)) break;
    rank = next;
  }
  return rank;
}

/** Who a member is, as far as the engine's decision goes. */
export interface Standing {
  rank: number;
  locked: boolean;
  banned: boolean;
  /**
   * When the rank last moved; null: never since the account was made, so a rank above 0 was
   * given by hand (`user:create --rank`, a community moving in) or before ranks were earned here.
   */
  changedAt: Date | null;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * When an Advocate below the bar drops back to Contributor: the grace period after the rank last
 * moved. Never for a rank that has not moved since the account was made: it came with the
 * account, by hand, and member_days has no history from before ranks were earned to judge it by
 * (every Advocate of a community that moves in would drop on the first review).
 */
export function graceEnds(s: Pick<Standing, 'changedAt'>, t: RankThresholds): Date | null {
  return s.changedAt && new Date(s.changedAt.getTime() + t.rank3.graceDays * DAY);
}

/**
 * The rank a member should hold now, or null to leave it. Ranks go up as earned; only rank 3
 * comes down (to 2, once its grace period is over), since ranks 1 and 2 stand for what a member
 * did once and cannot undo. A rank set by hand, a ban and rank 4 (by nomination) are not the
 * engine's to change.
 */
export function rankDecision(s: Standing, earned: EarnedRank, t: RankThresholds, now: Date): EarnedRank | null {
  if (s.locked || s.banned || s.rank >= 4) return null;
  if (earned > s.rank) return earned;
  const ends = graceEnds(s, t);
  if (s.rank === 3 && earned < 3 && ends && now >= ends) return 2;
  return null;
}

export interface RankExplanation {
  rank: number;
  name: string;
  /** Why they hold it, in a sentence. */
  why: string;
  /** What they met for it (rank 1–3 held by the facts), else empty. */
  held: Requirement[];
  /** The next rank and what it asks; null at rank 3 and above (4 is by nomination) or locked. */
  next: { rank: number; name: string; requirements: Requirement[] } | null;
}

/** Why a member holds their rank and what the next one asks: what their profile shows them. */
export function explainRank(s: Standing, f: MemberFacts, site: SiteFacts, t: RankThresholds, now: Date): RankExplanation {
  const rank = s.rank;
  const name = rankNames[rank] ?? String(rank);
  const earned = earnedRank(f, site, t);
  const base = { rank, name, held: [] as Requirement[] };
  const nextOf = (r: number) => (r >= 1 && r <= 3 ? { rank: r, name: rankNames[r], requirements: requirementsFor(r as 1 | 2 | 3, f, site, t) } : null);
  if (s.locked) return { ...base, why: `${name} was set by hand by the staff, and is kept until it is changed by hand.`, next: null };
  if (rank >= 4) return { ...base, why: `${name}: an Advocate nominated by the staff who accepted the nomination.`, next: null };
  const next = nextOf(rank + 1);
  if (rank === 0) return { ...base, why: 'Everyone starts as a Newcomer.', next };
  const held = requirementsFor(rank as 1 | 2 | 3, f, site, t);
  if (earned >= rank) return { ...base, why: `${name}: every requirement of the rank is met.`, held, next };
  if (rank === 3) {
    const ends = graceEnds(s, t);
    const why = !ends
      ? `${name}, given with the account and kept: the review only takes away an ${name} rank it gave.`
      : now < ends
      ? `${name}, below the rank's bar for now: it is kept until ${ends.toISOString().slice(0, 10)}, the end of the ${t.rank3.graceDays}-day grace period; then it needs every requirement met again.`
      : `${name}, below the rank's bar: it drops back to ${rankNames[2]} on the next review.`;
    return { ...base, why, held, next };
  }
  return { ...base, why: `${name}, held since it was given; ${rankNames[1]} and ${rankNames[2]} are never taken back.`, held, next };
}

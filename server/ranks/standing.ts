// A member's rank explained, for their profile: the same facts and rules the engine reads.
import type { Db } from '../db/index.ts';
import type { Settings } from '../moderation/settings/queries.ts';
import { memberFacts, noFacts, siteFacts, standings } from './queries.ts';
import { explainRank, rankThresholds, type RankExplanation, type RankThresholds, type SiteFacts } from './rules.ts';

/**
 * The community's new threads and posts over rank 3's window are a count over every post of
 * the last hundred days, and move by a few in a day's thousands: a profile reads a copy up to
 * ten minutes old (per database, per window) rather than counting them for each view. The
 * engine counts them afresh on each run.
 */
const SITE_TTL_MS = 10 * 60 * 1000;
const keptSite = new WeakMap<Db, Map<string, { until: number; value: Promise<SiteFacts> }>>();

export function siteFactsKept(db: Db, now: Date, t: RankThresholds): Promise<SiteFacts> {
  let byWindow = keptSite.get(db);
  if (!byWindow) keptSite.set(db, (byWindow = new Map()));
  const key = `${t.rank3.windowDays}:${now.toISOString().slice(0, 10)}`;
  const hit = byWindow.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = siteFacts(db, now, t);
  const entry = { until: Date.now() + SITE_TTL_MS, value };
  byWindow.clear();
  byWindow.set(key, entry);
  // A failed count is not kept: the caller gets the error, the next view counts again.
  value.catch(() => {
    if (byWindow.get(key) === entry) byWindow.delete(key);
  });
  return value;
}

/** Why the member holds their rank and what the next one asks; null if there is no such member. */
export async function explainMemberRank(db: Db, userId: number, settings: Settings, now: Date): Promise<RankExplanation | null> {
  const t = rankThresholds(settings);
  const [[standing], facts, site] = await Promise.all([standings(db, [userId]), memberFacts(db, [userId], now, t), siteFactsKept(db, now, t)]);
  if (!standing) return null;
  return explainRank(standing, facts.get(userId) ?? noFacts(), site, t, now);
}

// A member's rank explained, for their profile: the same facts and rules the engine reads.
import type { Db } from '../db/index.ts';
import type { Settings } from '../moderation/settings/queries.ts';
import { memberFacts, noFacts, siteFactsKept, standings } from './queries.ts';
import { explainRank, rankThresholds, type RankExplanation } from './rules.ts';

/** Why the member holds their rank and what the next one asks; null if there is no such member. */
export async function explainMemberRank(db: Db, userId: number, settings: Settings, now: Date): Promise<RankExplanation | null> {
  const t = rankThresholds(settings);
  const [[standing], facts, site] = await Promise.all([standings(db, [userId]), memberFacts(db, [userId], now, t), siteFactsKept(db, now, t)]);
  if (!standing) return null;
  return explainRank(standing, facts.get(userId) ?? noFacts(), site, t, now);
}

// /ranks: what each rank needs (the thresholds in force) and allows, and the Ambassadors with
// what they did for others lately. Public. The thresholds come from the process's copy of the
// settings (always current), the community's new posts from a copy minutes old, and the
// Ambassadors' impact from a copy kept in this process for five minutes (IMPACT_TTL_MS): it
// reads every post of each Ambassador with its likes (over a second for 94 Ambassadors with
// some 400 posts each on the large seed, cold), and a count of the last 90 days minutes old is
// what anyone expects of it.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { rankNames } from '../permissions.ts';
import type { Settings } from '../moderation/settings/queries.ts';
import { ambassadors, noFacts, siteFactsKept, type AmbassadorImpact } from './queries.ts';
import { rankThresholds, requirementsFor, type SiteFacts } from './rules.ts';

/** Ambassadors' impact is counted over this many days. */
export const IMPACT_DAYS = 90;
const IMPACT_TTL_MS = 5 * 60 * 1000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What each rank allows, in words, from the permissions module's gates and the settings' limits. */
export function rankPrivileges(s: Settings): string[][] {
  const rates = (rank: number) =>
    `At most ${plural(s.posts_per_hour[rank], 'post')} an hour, ${plural(s.post_interval_seconds[rank], 'second')} apart.`;
  const weight = (rank: number) => `Flags weigh ${1 + rank}.`;
  return [
    [
      'Reads, posts and replies.',
      s.approval_posts ? `The first ${plural(s.approval_posts, 'post')} wait for a moderator's approval.` : 'Posts need no approval.',
      `At most ${plural(s.newcomer_links, 'link')} and ${plural(s.newcomer_images, 'image')} in a post.`,
      'Flags only spam.',
      rates(0),
      weight(0),
    ],
    ['Flags posts for any reason.', rates(1), weight(1)],
    ['Downvotes questions and answers.', rates(2), weight(2)],
    ['Renames, retags and recategorises threads.', rates(3), weight(3)],
    ['Closes duplicate threads.', rates(4), weight(4)],
  ];
}

/** Each rank as the page shows it: its name, what it needs (need only), and what it allows. */
export function ranksView(settings: Settings, site: SiteFacts) {
  const t = rankThresholds(settings);
  const privileges = rankPrivileges(settings);
  return rankNames.map((name, rank) => ({
    rank,
    name,
    needs:
      rank === 0
        ? null
        : rank === 4
          ? null
          : requirementsFor(rank as 1 | 2 | 3, noFacts(), site, t).map((r) => ({ key: r.key, label: r.label, need: r.need, atMost: r.atMost })),
    note:
      rank === 0
        ? 'Everyone starts here.'
        : rank === 3
          ? `Kept for ${plural(t.rank3.graceDays, 'day')} after it is given; after that, a member below the bar drops back to ${rankNames[2]}.`
          : rank === 4
            ? `An ${rankNames[3]} nominated by the staff who accepts the nomination.`
            : 'Kept once earned.',
    allows: privileges[rank],
  }));
}

export const ranks: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  let kept: { impact: Promise<AmbassadorImpact[]>; until: number } | null = null;

  function impactOf(now: Date): Promise<AmbassadorImpact[]> {
    if (kept && kept.until > now.getTime()) return kept.impact;
    const entry = { impact: ambassadors(app.db, now, IMPACT_DAYS), until: now.getTime() + IMPACT_TTL_MS };
    kept = entry;
    // A failed read is not kept, so the next view reads again; the views awaiting this one get
    // its error, which the error handler logs.
    entry.impact.catch(() => {
      if (kept === entry) kept = null;
    });
    return entry.impact;
  }

  app.get('/ranks', async (_req, reply) => {
    const now = app.now();
    const { settings } = await app.postingRules.get();
    const [site, impact] = await Promise.all([siteFactsKept(app.db, now, rankThresholds(settings)), impactOf(now)]);
    return reply.page('ranks/index', {
      title: 'Ranks',
      ranks: ranksView(settings, site),
      ambassadors: impact,
      impactDays: IMPACT_DAYS,
    });
  });
};

// /leaderboard: the members with the most reputation or accepted answers this week, this month
// and of all time. A plain page of links (no form, no script), public, the same for everyone but
// the layout around it.
//
// Each board's list is kept in this process for half a minute (BOARD_TTL_MS), read again once it
// is older: a board moves with every vote anywhere in the community, and no write announces it on
// the change bus (that would be a notification per vote for a page few read), so nothing could
// tell a kept copy it is old; a leaderboard a minute old is what anyone expects of one. The clock
// is the app's (app.now()), so tests move it on to see a fresh board. One read at a time per
// board: requests arriving while it runs wait for it rather than each run the same aggregate
// (the all-time accepted answers look up every accepted answer's post: tenths of a second on
// 1,000,000 posts with a cold cache).
//
// Guests get the rendered page from the page cache as well (reply.cached, with no scope: it is
// trusted for the minute every kept value is, server/cache/kept.ts), served before the session
// layer like the home page; so a guest's board is at most about a minute and a half old.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { acceptedLeaders, reputationLeaders, type Leader } from './queries.ts';
import { boardCaption, boards, boardWords, leaderboardUrl, periods, periodStart, periodWords, type Board, type Period } from './rules.ts';

const BOARD_TTL_MS = 30_000;

const leaderboardQuery = {
  type: 'object',
  properties: {
    by: { type: 'string', enum: boards },
    period: { type: 'string', enum: periods },
  },
} as const;

export const leaderboard: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const kept = new Map<string, { leaders: Promise<Leader[]>; until: number }>();

  function leadersOf(by: Board, period: Period): Promise<Leader[]> {
    const key = `${by}:${period}`;
    const now = app.now();
    const hit = kept.get(key);
    if (hit && hit.until > now.getTime()) return hit.leaders;
    const since = periodStart(period, now);
    const leaders = by === 'reputation' ? reputationLeaders(app.db, since) : acceptedLeaders(app.db, since);
    kept.set(key, { leaders, until: now.getTime() + BOARD_TTL_MS });
    // A failed read is not kept, so the next request reads again; the requests awaiting this one
    // get its error, which the error handler logs.
    leaders.catch(() => {
      if (kept.get(key)?.leaders === leaders) kept.delete(key);
    });
    return leaders;
  }

  app.get('/leaderboard', { schema: { querystring: leaderboardQuery } }, async (req, reply) => reply.cached([], async () => {
    const by = req.query.by ?? 'reputation';
    const period = req.query.period ?? 'all';
    const leaders = await leadersOf(by, period);
    return reply.page('leaderboard/index', {
      title: `Leaderboard: ${boardWords[by].label.toLowerCase()}, ${periodWords[period].label.toLowerCase()}`,
      caption: boardCaption(by, period),
      column: boardWords[by].column,
      boardLinks: boards.map((b) => ({ href: leaderboardUrl(b, period), label: boardWords[b].label, current: b === by })),
      periodLinks: periods.map((p) => ({ href: leaderboardUrl(by, p), label: periodWords[p].label, current: p === period })),
      leaders: leaders.map((l, i) => ({ ...l, place: i + 1 })),
      empty: by === 'reputation' ? 'No one has gained reputation in this period yet.' : 'No answer has been accepted in this period yet.',
    });
  }));
};

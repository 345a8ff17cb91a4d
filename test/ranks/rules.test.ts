// The rank rules, by tables: facts at each threshold earn each rank, one short of any one
// requirement does not; only rank 3 comes down, and only after its grace period.
import t from 'tap';
import { defaultSettings } from '../../server/moderation/settings/queries.ts';
import { noFacts } from '../../server/ranks/queries.ts';
import { earnedRank, explainRank, rankDecision, rankThresholds, requirementsFor, shareOf, type MemberFacts, type Standing } from '../../server/ranks/rules.ts';

const th = rankThresholds(defaultSettings);
const site = { newThreads: 40, newPosts: 1000 };

/** Facts that meet exactly every requirement up to `rank`. */
export function factsAt(rank: 0 | 1 | 2 | 3): MemberFacts {
  const f = noFacts();
  if (rank >= 1) Object.assign(f, { threadsEntered: 5, postsRead: 30, readingSeconds: 10 * 60 });
  if (rank >= 2) Object.assign(f, { daysVisited: 15, likesGiven: 1, likesReceived: 1, repliedThreads: 3, threadsEntered: 20, postsRead: 100, readingSeconds: 60 * 60 });
  if (rank >= 3) {
    Object.assign(f, { daysVisited: 50, likesGiven: 30, likesReceived: 20, repliedThreads: 10, threadsEntered: 20, postsRead: 250 });
    // 25% of 40 new threads is 10 (below rank 2's 20 in all); 25% of 1,000 new posts is 250.
    f.recent = { daysVisited: 50, repliedThreads: 10, threadsEntered: 10, postsRead: 250, likesGiven: 30, likesReceived: 20, postsUpheld: 5, sanctions: 0 };
  }
  return f;
}

/** The facts with one requirement of `rank` one short of its need (or one past an at-most). */
function oneShort(rank: 1 | 2 | 3, key: string): MemberFacts {
  const f = structuredClone(factsAt(rank));
  const field: Record<string, [object, string, number]> = {
    days_visited: [rank === 3 ? f.recent : f, 'daysVisited', -1],
    likes_given: [rank === 3 ? f.recent : f, 'likesGiven', -1],
    likes_received: [rank === 3 ? f.recent : f, 'likesReceived', -1],
    replied_threads: [rank === 3 ? f.recent : f, 'repliedThreads', -1],
    threads_entered: [rank === 3 ? f.recent : f, 'threadsEntered', -1],
    posts_read: [rank === 3 ? f.recent : f, 'postsRead', -1],
    reading_minutes: [f, 'readingSeconds', -1],
    posts_upheld: [f.recent, 'postsUpheld', +1],
    sanctions: [f.recent, 'sanctions', +1],
  };
  const [on, name, by] = field[key];
  (on as Record<string, number>)[name] += by;
  return f;
}

t.test('facts at each threshold earn that rank; one short of any requirement earns the one below', async (t) => {
  for (const rank of [0, 1, 2, 3] as const) t.equal(earnedRank(factsAt(rank), site, th), rank, `at rank ${rank}'s thresholds`);
  for (const rank of [1, 2, 3] as const) {
    const keys = requirementsFor(rank, factsAt(rank), site, th).map((r) => r.key);
    t.equal(keys.length, rank === 1 ? 3 : rank === 2 ? 7 : 8, `rank ${rank} asks ${keys.length} things`);
    for (const key of keys) t.equal(earnedRank(oneShort(rank, key), site, th), rank - 1, `rank ${rank}, ${key} one short`);
  }
});

t.test('a member meeting several ranks at once climbs them all, but never skips one', async (t) => {
  t.equal(earnedRank(factsAt(3), site, th), 3);
  const noLikesEver = { ...factsAt(3), likesGiven: 0 };
  noLikesEver.recent = { ...noLikesEver.recent };
  t.equal(earnedRank(noLikesEver, site, th), 1, 'rank 2 unmet: rank 3\'s window alone is not enough');
});

t.test('rank 3 asks a share of what is new, never more than its cap', async (t) => {
  t.equal(shareOf(40, 25, 500), 10);
  t.equal(shareOf(41, 25, 500), 11, 'rounded up');
  t.equal(shareOf(100_000, 25, 500), 500, 'capped');
  t.equal(shareOf(0, 25, 500), 0, 'a quiet forum asks nothing');
  const busy = requirementsFor(3, factsAt(3), { newThreads: 10_000, newPosts: 1_000_000 }, th);
  t.equal(busy.find((r) => r.key === 'threads_entered')?.need, 500);
  t.equal(busy.find((r) => r.key === 'posts_read')?.need, 20_000);
});

const DAY = 86_400_000;
const standing = (over: Partial<Standing> = {}): Standing => ({ rank: 0, locked: false, banned: false, changedAt: null, ...over });

t.test('the decision: up as earned, rank 3 down to 2 after the grace period only, never for locked, banned or rank 4', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z');
  const cases: [string, Standing, 0 | 1 | 2 | 3, number | null][] = [
    ['a newcomer earning 2 jumps to 2', standing(), 2, 2],
    ['a newcomer earning nothing stays', standing(), 0, null],
    ['a member earning 3', standing({ rank: 1 }), 3, 3],
    ['a contributor earning less keeps 2', standing({ rank: 2 }), 0, null],
    ['a member earning 0 keeps 1', standing({ rank: 1 }), 0, null],
    ['an advocate below the bar in the grace period keeps 3', standing({ rank: 3, changedAt: new Date(now.getTime() - 13 * DAY) }), 1, null],
    ['an advocate below the bar after the grace period drops to 2', standing({ rank: 3, changedAt: new Date(now.getTime() - 14 * DAY) }), 1, 2],
    ['even with nothing, an advocate drops to 2, not lower', standing({ rank: 3, changedAt: new Date(now.getTime() - 100 * DAY) }), 0, 2],
    ['an advocate at the bar keeps 3', standing({ rank: 3, changedAt: new Date(now.getTime() - 100 * DAY) }), 3, null],
    ['an advocate given the rank with the account is kept', standing({ rank: 3 }), 0, null],
    ['a member given rank 1 with the account still climbs', standing({ rank: 1 }), 2, 2],
    ['a locked rank stays up', standing({ rank: 1, locked: true }), 3, null],
    ['a locked rank stays down', standing({ rank: 3, locked: true, changedAt: new Date(0) }), 0, null],
    ['a banned member is not promoted', standing({ banned: true }), 3, null],
    ['an ambassador is not the engine\'s', standing({ rank: 4, changedAt: new Date(0) }), 0, null],
  ];
  for (const [what, s, earned, expected] of cases) t.equal(rankDecision(s, earned, th, now), expected, what);
});

t.test('the explanation says why the rank is held and what the next needs, with have and need', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z');
  const f = factsAt(1);
  const e = explainRank(standing({ rank: 1 }), f, site, th, now);
  t.match(e.why, /every requirement/);
  t.same(e.held.map((r) => [r.key, r.have, r.need, r.met]), [['threads_entered', 5, 5, true], ['posts_read', 30, 30, true], ['reading_minutes', 10, 10, true]]);
  t.equal(e.next?.name, 'Contributor');
  t.same(e.next?.requirements.find((r) => r.key === 'days_visited'), { key: 'days_visited', label: 'Days visited', have: 0, need: 15, atMost: false, met: false });
  t.match(explainRank(standing({ rank: 2, locked: true }), f, site, th, now).why, /set by hand/);
  t.equal(explainRank(standing({ rank: 3 }), factsAt(3), site, th, now).next, null, 'rank 4 is not earned from facts');
  t.match(explainRank(standing({ rank: 3, changedAt: new Date(now.getTime() - DAY) }), f, site, th, now).why, /kept until 2026-06-14/);
  t.match(explainRank(standing({ rank: 3 }), f, site, th, now).why, /given with the account/);
  t.match(explainRank(standing({ rank: 3, changedAt: new Date(now.getTime() - 15 * DAY) }), f, site, th, now).why, /drops back to Contributor/);
  t.match(explainRank(standing({ rank: 0 }), noFacts(), site, th, now).why, /starts/);
  t.match(explainRank(standing({ rank: 2 }), noFacts(), site, th, now).why, /never taken back/);
});

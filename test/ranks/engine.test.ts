// The rank engine on a real database: facts seeded to each threshold give each rank (and one
// short does not), rank 3 goes after its grace period and not before, a locked rank stays, and
// a review run twice, or by two processes at once, notifies once.
import t from 'tap';
import { pino } from 'pino';
import { reviewRanks } from '../../server/ranks/engine.ts';
import { memberFacts, siteFacts } from '../../server/ranks/queries.ts';
import { rankThresholds } from '../../server/ranks/rules.ts';
import { defaultSettings } from '../../server/moderation/settings/queries.ts';
import { createAccount } from '../../server/accounts/queries.ts';
import { testCost } from '../../server/accounts/passwords.ts';
import { testApp } from '../helpers/app.ts';
import { rankNotices, rankOf, seedFacts } from './seed.ts';

const log = pino({ level: 'silent' });
const th = rankThresholds(defaultSettings);

t.test('facts at rank 1 and rank 2 thresholds give those ranks; one short of one does not', async (t) => {
  const { db, make, clock } = await testApp(t);
  const one = await make.member({ rank: 0 });
  const oneShy = await make.member({ rank: 0 });
  const two = await make.member({ rank: 0 });
  const twoShy = await make.member({ rank: 1 });
  await seedFacts(db, make, one, { entered: 5, read: 30, minutes: 10 });
  await seedFacts(db, make, oneShy, { entered: 5, read: 29, minutes: 10 });
  const rank2 = { days: 15, likesGiven: 1, likesReceived: 1, repliedThreads: 3, entered: 20, read: 100, minutes: 60 };
  await seedFacts(db, make, two, rank2);
  await seedFacts(db, make, twoShy, { ...rank2, days: 14 });

  const facts = await memberFacts(db, [two.id], clock.now(), th);
  t.match(facts.get(two.id), { daysVisited: 15, threadsEntered: 20, postsRead: 100, readingSeconds: 3600, likesGiven: 1, likesReceived: 1, repliedThreads: 3 }, 'the facts read back as seeded');

  const result = await reviewRanks(db, [one.id, oneShy.id, two.id, twoShy.id], clock.now(), log);
  t.same(result, { promoted: 2, demoted: 0 });
  t.equal((await rankOf(db, one.id)).rank, 1, 'rank 1 at its thresholds');
  t.equal((await rankOf(db, oneShy.id)).rank, 0, 'a post short: still a newcomer');
  t.equal((await rankOf(db, two.id)).rank, 2, 'a newcomer meeting rank 2 climbs two ranks at once');
  t.equal((await rankOf(db, twoShy.id)).rank, 1, 'a day short: still a member');
  t.same(await rankNotices(db, two.id), [{ message: 'You are now a Contributor. Your profile shows why, and what the next rank needs.', link: `/u/${two.username}` }], 'one notice, of the rank reached');
  t.ok((await rankOf(db, two.id)).rank_changed_at, 'when the rank moved is kept');
});

/** A rank-3 member's facts: rank 2's, and rank 3's over the window with this community's new posts. */
async function advocateFacts(db: Parameters<typeof siteFacts>[0], now: Date) {
  const site = await siteFacts(db, now, th);
  return {
    days: 50, likesGiven: 30, likesReceived: 20, repliedThreads: 10, minutes: 60,
    // After the member's own posts are seeded the community has more: read generously.
    entered: Math.max(20, Math.ceil(site.newThreads / 4) + 20), read: Math.max(100, Math.ceil(site.newPosts / 4) + 100),
  };
}

t.test('rank 3 at its thresholds, and what keeps a member from it: one short, upheld spam, a sanction', async (t) => {
  const { db, make, clock } = await testApp(t);
  const [full, shy, flagged, sanctioned] = await Promise.all([0, 1, 2, 3].map(() => make.member({ rank: 2 })));
  const facts = await advocateFacts(db, clock.now());
  await seedFacts(db, make, full, facts);
  await seedFacts(db, make, shy, { ...facts, likesReceived: 19 });
  await seedFacts(db, make, flagged, facts);
  await seedFacts(db, make, sanctioned, facts);
  const moderator = await make.member({ role: 'moderator' });
  // Six of the flagged member's posts upheld as spam: one more than rank 3 allows.
  const posts = await db.selectFrom('posts').select('id').where('user_id', '=', flagged.id).limit(6).execute();
  await db.insertInto('flags').values(posts.map((p) => ({ post_id: p.id, user_id: moderator.id, reason: 'spam' as const, weight: 5, outcome: 'agreed' as const, resolved_at: clock.now() }))).execute();
  await db.insertInto('sanctions').values({ user_id: sanctioned.id, kind: 'silence', reason: 'Cooling off', starts_at: new Date(Date.now() - 30 * 86_400_000), ends_at: new Date(Date.now() - 29 * 86_400_000), created_by: moderator.id }).execute();

  const read = await memberFacts(db, [full.id, flagged.id, sanctioned.id], clock.now(), th);
  t.equal(read.get(flagged.id)?.recent.postsUpheld, 6);
  t.equal(read.get(sanctioned.id)?.recent.sanctions, 1, 'a silence a month ago counts');
  t.equal(read.get(full.id)?.recent.likesReceived, 20);

  await reviewRanks(db, 'all', clock.now(), log);
  t.equal((await rankOf(db, full.id)).rank, 3, 'rank 3 at its thresholds');
  t.equal((await rankOf(db, shy.id)).rank, 2, 'a like short: still a contributor');
  t.equal((await rankOf(db, flagged.id)).rank, 2, 'six posts upheld as spam: not an advocate');
  t.equal((await rankOf(db, sanctioned.id)).rank, 2, 'silenced within six months: not an advocate');

  // Five upheld is still allowed.
  await db.deleteFrom('flags').where('post_id', '=', posts[0].id).execute();
  await reviewRanks(db, [flagged.id], clock.now(), log);
  t.equal((await rankOf(db, flagged.id)).rank, 3, 'five upheld: at the limit, an advocate');
});

t.test('rank 3 is lost after the grace period when below the bar, and not before', async (t) => {
  const { db, make, clock } = await testApp(t);
  const member = await make.member({ rank: 2 });
  await seedFacts(db, make, member, await advocateFacts(db, clock.now()));
  await reviewRanks(db, [member.id], clock.now(), log);
  t.equal((await rankOf(db, member.id)).rank, 3);

  // Their visits stop counting: below the bar from now on.
  await db.deleteFrom('member_days').where('user_id', '=', member.id).execute();
  clock.advance(13 * 86_400);
  t.same(await reviewRanks(db, [member.id], clock.now(), log), { promoted: 0, demoted: 0 });
  t.equal((await rankOf(db, member.id)).rank, 3, 'within the 14 days of grace: kept');
  clock.advance(86_400);
  t.same(await reviewRanks(db, 'all', clock.now(), log), { promoted: 0, demoted: 1 });
  t.equal((await rankOf(db, member.id)).rank, 2, 'after it: back to contributor');
  t.match((await rankNotices(db, member.id)).map((n) => n.message), [/now an Advocate/, /Your rank is now Contributor/]);
  t.same(await reviewRanks(db, 'all', clock.now(), log), { promoted: 0, demoted: 0 }, 'never lower than 2');
  t.equal((await rankOf(db, member.id)).rank, 2);
});

t.test('a rank set by hand, a ban and rank 4 are left alone', async (t) => {
  const { db, make, clock } = await testApp(t);
  const locked = await make.member({ rank: 0 });
  const lockedHigh = await make.member({ rank: 3 });
  const banned = await make.member({ rank: 0 });
  const ambassador = await make.member({ rank: 4 });
  await db.updateTable('users').set({ rank_locked: true }).where('id', 'in', [locked.id, lockedHigh.id]).execute();
  // As `user:create --rank 1` makes an account.
  const byShell = await createAccount(db, { username: 'by_shell', email: 'by_shell@example.test', password: 'a long enough password', rank: 1, rankLocked: true }, testCost);
  await seedFacts(db, make, { ...byShell, email: 'by_shell@example.test', password: '', rank: 1 }, { days: 20, likesGiven: 2, likesReceived: 2, repliedThreads: 3, entered: 30, read: 200, minutes: 90 });
  await db.updateTable('users').set({ banned_at: new Date() }).where('id', '=', banned.id).execute();
  await db.updateTable('users').set({ rank_changed_at: new Date(0) }).where('id', 'in', [lockedHigh.id, ambassador.id]).execute();
  for (const m of [locked, banned]) await seedFacts(db, make, m, { entered: 50, read: 500, minutes: 100 });
  clock.advance(30 * 86_400);
  t.same(await reviewRanks(db, 'all', clock.now(), log), { promoted: 0, demoted: 0 });
  t.equal((await rankOf(db, byShell.id)).rank, 1, 'a rank set from the shell stays, though rank 2 is earned');
  for (const [m, rank] of [[locked, 0], [lockedHigh, 3], [banned, 0], [ambassador, 4]] as const) t.equal((await rankOf(db, m.id)).rank, rank, `${m.username} keeps ${rank}`);
  t.same(await db.selectFrom('notifications').select('id').where('kind', '=', 'rank').execute(), []);
});

t.test('run twice, or by two processes at once, a promotion is written and told once', async (t) => {
  const { db, make, clock, databaseUrl } = await testApp(t);
  const members = await Promise.all([0, 1, 2, 3, 4].map(() => make.member({ rank: 0 })));
  for (const m of members) await seedFacts(db, make, m, { entered: 5, read: 30, minutes: 10 });
  // Another process: an app of its own on the same database.
  const { buildApp } = await import('../../server/app.ts');
  const { testConfig } = await import('../helpers/app.ts');
  const other = await buildApp(testConfig(databaseUrl));
  t.teardown(() => other.close());
  const ids = members.map((m) => m.id);
  const runs = await Promise.all([reviewRanks(db, ids, clock.now(), log), reviewRanks(other.db, 'all', clock.now(), log), reviewRanks(db, 'all', clock.now(), log)]);
  t.equal(runs.reduce((n, r) => n + r.promoted, 0), 5, 'each promotion counted by one run only');
  t.same(await reviewRanks(db, ids, clock.now(), log), { promoted: 0, demoted: 0 }, 'a run after them finds nothing to do');
  for (const m of members) {
    t.equal((await rankOf(db, m.id)).rank, 1);
    t.equal((await rankNotices(db, m.id)).length, 1, `${m.username} is told once`);
  }
});

t.test('one short of each requirement of rank 1 and of rank 2, read from the rows, keeps the member a rank lower', async (t) => {
  const { db, make, clock } = await testApp(t);
  const rank1 = { entered: 5, read: 30, minutes: 10 };
  const rank2 = { days: 15, likesGiven: 1, likesReceived: 1, repliedThreads: 3, entered: 20, read: 100, minutes: 60 };
  const cases: [string, number, Record<string, number>][] = [
    ...Object.keys(rank1).map((k): [string, number, Record<string, number>] => [`rank 1, ${k}`, 0, { ...rank1, [k]: rank1[k as keyof typeof rank1] - 1 }]),
    ...Object.keys(rank2).map((k): [string, number, Record<string, number>] => [`rank 2, ${k}`, 1, { ...rank2, [k]: rank2[k as keyof typeof rank2] - 1 }]),
  ];
  const members = [];
  for (const [what, expected, facts] of cases) {
    const m = await make.member({ rank: 0 });
    await seedFacts(db, make, m, facts);
    members.push({ what, expected, m });
  }
  await reviewRanks(db, members.map((c) => c.m.id), clock.now(), log);
  for (const { what, expected, m } of members) t.equal((await rankOf(db, m.id)).rank, expected, `${what} one short: rank ${expected}`);
});

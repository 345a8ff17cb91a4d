// /leaderboard: members by reputation and by accepted answers, this week, this month and of all
// time, from votes and accepts cast through the real routes (and the ledger, for numbers).
import t from 'tap';
import { award } from '../../server/reputation/ledger.ts';
import { createCategory, createReply, createThread } from '../../server/threads/queries.ts';
import { hidePost } from '../../server/moderation/holds.ts';
import type { Db } from '../../server/db/index.ts';
import { testApp, type Member } from '../helpers/app.ts';
import type { Agent } from '../helpers/agent.ts';

const DAY = 24 * 60 * 60;

/** The board as a guest reads it: [username, count] in order, and the page. */
async function board(guest: Agent, query = '') {
  const res = await guest.get(`/leaderboard${query}`);
  const page = res.page();
  const rows = page.querySelectorAll('tr.leader').map((r) => [r.querySelector('a')!.text.trim(), Number(r.querySelector('.leader-count')!.text.trim())] as const);
  return { status: res.statusCode, page, rows };
}

/** A question by `asker` in a category of its own (open to all unless `readRole`), with an answer from each of `answerers`. */
async function question(db: Db, asker: Member, answerers: Member[], readRole: 'staff' | null = null) {
  const slug = `q-${Math.random().toString(36).slice(2, 10)}`;
  const category = await createCategory(db, { name: slug, slug, read_role: readRole });
  const thread = await createThread(db, { categoryId: category.id, userId: asker.id, title: 'How do I pair the remote?', body: 'It blinks and nothing happens.', kind: 'question' });
  const answers: number[] = [];
  for (const a of answerers) answers.push((await createReply(db, { threadId: thread.id, userId: a.id, body: `Hold both buttons, says ${a.username}.` })).id);
  return { thread, answers };
}

async function signedIn(signIn: (m: Member) => Promise<Agent>, m: Member) {
  const agent = await signIn(m);
  await agent.get('/');
  return agent;
}

t.test('reputation and accepted answers, each over the week, the month and all time, in order', async (t) => {
  // Guests' kept pages last a minute of real time, which the test cannot move on: here the board
  // is read afresh, kept only by the leaderboard's own half minute on the app's clock.
  const { db, make, signIn, clock } = await testApp(t, { cache: { guestPages: false } });
  const asker = await make.member({ username: 'asker' });
  const [early, middle, late] = [await make.member({ username: 'early' }), await make.member({ username: 'middle' }), await make.member({ username: 'late' })];
  const { answers } = await question(db, asker, [early, middle, late]);
  const voters = await Promise.all([1, 2, 3].map(() => make.member({ rank: 1 })));
  const agents = [];
  for (const v of voters) agents.push(await signedIn(signIn, v));
  const vote = async (agent: Agent, post: number, value: string) => t.equal((await agent.submit(`/p/${post}/vote`, { value })).statusCode, 303);

  // 40 days before the board is read: three upvotes on early's answer.
  for (const a of agents) await vote(a, answers[0], '1');
  clock.advance(15 * DAY);
  // 25 days before: two on middle's.
  await vote(agents[0], answers[1], '1');
  await vote(agents[1], answers[1], '1');
  clock.advance(22 * DAY);
  // 3 days before: one on late's, and the asker accepts it.
  await vote(agents[2], answers[2], '1');
  const askerAgent = await signedIn(signIn, asker);
  t.equal((await askerAgent.submit(`/p/${answers[2]}/accept`, {})).statusCode, 303);
  clock.advance(3 * DAY);

  const guest = make.guest();
  const all = await board(guest);
  t.equal(all.status, 200);
  t.equal(all.page.h1(), 'Leaderboard');
  t.same(all.rows, [['early', 31], ['late', 26], ['middle', 21], ['asker', 3]], 'all time: the totals, highest first; members at the floor are left off');
  t.same((await board(guest, '?period=all&by=reputation')).rows, all.rows, 'the first board is all-time reputation');
  t.same((await board(guest, '?period=month')).rows, [['late', 25], ['middle', 20], ['asker', 2]], 'the last 30 days: what was gained in them');
  t.same((await board(guest, '?period=week')).rows, [['late', 25], ['asker', 2]], 'the last 7 days');
  t.same((await board(guest, '?by=accepted')).rows, [['late', 1]], 'accepted answers, all time');
  t.same((await board(guest, '?by=accepted&period=week')).rows, [['late', 1]]);

  const row = all.page.querySelector('tr.leader')!;
  t.equal(row.querySelector('a')!.getAttribute('href'), '/u/early', 'each member links to their profile');
  t.equal(row.querySelector('.rank')!.text.trim(), 'Member', 'with their rank');
  const links = (nav: string) => all.page.querySelectorAll(`${nav} a`).map((a) => [a.text.trim(), a.getAttribute('href'), a.getAttribute('aria-current') ?? '']);
  t.same(links('.leaderboard-boards'), [['Reputation', '/leaderboard', 'page'], ['Accepted answers', '/leaderboard?by=accepted', '']]);
  t.same(links('.leaderboard-periods'), [['This week', '/leaderboard?period=week', ''], ['This month', '/leaderboard?period=month', ''], ['All time', '/leaderboard', 'page']]);
  const weekAccepted = await board(guest, '?by=accepted&period=week');
  t.match(weekAccepted.page.querySelector('caption')!.text, /Answers accepted in the last 7 days/);
  t.same(
    weekAccepted.page.querySelectorAll('.leaderboard-periods a').map((a) => a.getAttribute('href')),
    ['/leaderboard?by=accepted&period=week', '/leaderboard?by=accepted&period=month', '/leaderboard?by=accepted'],
    'the period links keep the board',
  );

  // Undone: the accept taken back, a vote taken back. The boards are kept half a minute.
  t.equal((await askerAgent.submit(`/p/${answers[2]}/accept`, {})).statusCode, 303);
  await vote(agents[0], answers[0], '0');
  t.same((await board(guest, '?period=week')).rows, [['late', 25], ['asker', 2]], 'within the half minute, the board read before');
  clock.advance(31);
  t.same((await board(guest, '?period=week')).rows, [['late', 10]], 'after it, the undone accept nets out of the week');
  t.same((await board(guest, '?by=accepted&period=week')).rows, [], 'and no accepted answer stands');
  t.match((await board(guest, '?by=accepted&period=week')).page.querySelector('[role=status]')!.text, /No answer has been accepted in this period yet/);
  t.same((await board(guest)).rows, [['early', 21], ['middle', 21], ['late', 11]], 'all time: the totals now; a tie goes to the earlier member');
  t.same((await board(guest, '?period=month')).rows, [['middle', 20], ['late', 10]], 'a vote from before the month taken back in it counts against it');

  const member = await signedIn(signIn, voters[0]);
  const res = await member.get('/leaderboard?by=accepted&period=month');
  t.equal(res.statusCode, 200, 'members read it too');
});

t.test('accepted answers in a staff-only category, or hidden since, are not counted on the public board', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const staff = await make.member({ role: 'staff', username: 'staffer' });
  const insider = await make.member({ username: 'insider' });
  const open = await make.member({ username: 'openly' });
  const hidden = await make.member({ username: 'hiddenly' });

  const inside = await question(db, staff, [insider], 'staff');
  const outside = await question(db, staff, [open, hidden]);
  const second = await question(db, staff, [hidden]);
  const staffAgent = await signedIn(signIn, staff);
  for (const post of [inside.answers[0], outside.answers[0], second.answers[0]]) {
    t.equal((await staffAgent.submit(`/p/${post}/accept`, {})).statusCode, 303, 'staff accept each answer');
  }
  await db.transaction().execute((tx) => hidePost(tx, second.answers[0], 'moderator'));

  const guest = make.guest();
  for (const period of ['', '?by=accepted&period=week', '?by=accepted&period=month']) {
    const rows = period ? (await board(guest, period)).rows : (await board(guest, '?by=accepted')).rows;
    t.same(rows, [['openly', 1]], `only the public answer in a public category counts (${period || 'all time'})`);
  }
  const staffBoard = await board(staffAgent, '?by=accepted');
  t.same(staffBoard.rows, [['openly', 1]], 'the board is the same for staff: it is one public page');
  t.notOk((await board(guest, '?by=accepted&period=week')).page.text.includes('insider'), 'the insider is not named');
});

t.test('the top 50, without banned members', async (t) => {
  const { db, make } = await testApp(t);
  const asker = await make.member();
  const answerers: Member[] = [];
  for (let i = 0; i < 55; i++) answerers.push(await make.member({ username: `helper${String(i).padStart(2, '0')}` }));
  const { answers } = await question(db, asker, answerers);
  const voter = await make.member();
  // helperNN gains 10 × (NN mod 7 + 1), through the ledger as a vote would.
  await db.transaction().execute(async (tx) => {
    for (const [i, a] of answerers.entries()) {
      for (let k = 0; k <= i % 7; k++) await award(tx, { userId: a.id, kind: 'answer_upvoted', postId: answers[i], actorId: voter.id, at: new Date() });
    }
  });
  await db.updateTable('users').set({ banned_at: new Date() }).where('username', '=', 'helper06').execute();

  const guest = make.guest();
  for (const period of ['', '?period=week']) {
    const { rows } = await board(guest, period);
    t.equal(rows.length, 50, 'fifty members');
    t.equal(rows[0][0], 'helper13', 'the highest first (70; helper06, banned, is left off)');
    t.notOk(rows.some(([name]) => name === 'helper06'), 'no banned member');
    t.ok(rows.every((r, i) => i === 0 || rows[i - 1][1] >= r[1]), 'highest first');
    // All time is the total, which starts at 1; the week, what was gained in it.
    const least = period ? 10 : 11;
    t.same(rows.slice(-4), ['helper00', 'helper07', 'helper14', 'helper21'].map((name) => [name, least]), 'the last places: the earliest of those tied');
  }
  const first = await guest.get('/leaderboard');
  t.ok(first.headers.etag, 'a guest gets the kept page, with its ETag');
  t.equal((await guest.get('/leaderboard', { 'if-none-match': String(first.headers.etag) })).statusCode, 304, 'and a browser that has it, a 304');
  t.equal((await guest.get('/leaderboard?by=likes')).statusCode, 422, 'a board that does not exist is refused');
  t.equal((await guest.get('/leaderboard?period=year')).statusCode, 422, 'and a period');
});

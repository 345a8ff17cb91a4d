// Ranks through HTTP: real page views counted in memory and written to member_days in a batch,
// the profile's have and need (for the member and staff only), and /ranks with the thresholds in
// force and an Ambassador's impact.
import t from 'tap';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { READ_CAP_SECONDS } from '../../server/ranks/member-days.ts';
import { reviewRanks } from '../../server/ranks/engine.ts';
import { toggleAccept } from '../../server/qa/queries.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';
import { like, rankNotices, seedFacts } from './seed.ts';

const today = (d: Date) => d.toISOString().slice(0, 10);

t.test('page views are counted in memory and written in one batch: days, threads entered, posts read, reading time', async (t) => {
  const { app, db, make, signIn, clock } = await testApp(t);
  const reader = await make.member({ rank: 0 });
  const a = await make.thread({ replies: 4 });
  const b = await make.thread({ replies: 2 });
  const browser = await signIn(reader);
  t.equal((await browser.get(`/t/${a.id}/${a.slug}`)).statusCode, 200);
  clock.advance(60);
  await browser.get(`/t/${b.id}/${b.slug}`);
  clock.advance(30 * 60);
  // Back to the first thread half an hour later: the gap counts as a few minutes at most.
  await browser.get(`/t/${a.id}/${a.slug}`);
  await browser.get('/');
  t.same(await db.selectFrom('member_days').selectAll().where('user_id', '=', reader.id).execute(), [], 'nothing written on the way');

  await app.memberDays.flush();
  const rows = await db.selectFrom('member_days').selectAll().where('user_id', '=', reader.id).execute();
  t.match(rows, [{ user_id: reader.id, day: today(clock.now()), threads_entered: 2, posts_read: 5 + 3 }], 'two threads entered, their eight posts read once');
  // The test clock runs on from real time: the minute moved on is a second or so more.
  const seconds = rows[0]?.reading_seconds ?? 0;
  t.ok(seconds >= 60 + READ_CAP_SECONDS && seconds <= 63 + READ_CAP_SECONDS, `a minute and the cap of reading (${seconds} s)`);

  const again = await make.thread({ replies: 1 });
  await browser.get(`/t/${again.id}/${again.slug}`);

  // A later batch adds to the day; another day is a row of its own.
  clock.advance(86_400);
  await browser.get('/');
  await app.memberDays.flush();
  const days = await db.selectFrom('member_days').select(['day', 'threads_entered', 'posts_read']).where('user_id', '=', reader.id).orderBy('day').execute();
  t.same(days.map((d) => [d.threads_entered, d.posts_read]), [[3, 10], [0, 0]], 'the day before gained the third thread; today is a visit');
  t.ok(await db.selectFrom('badge_due').select('user_id').where('user_id', '=', reader.id).executeTakeFirst(), 'the member is due a review');
});

t.test('the last counts are written when the app closes', async (t) => {
  const { buildApp } = await import('../../server/app.ts');
  const { testConfig } = await import('../helpers/app.ts');
  const { make, databaseUrl, db } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread({ replies: 1 });
  const other = await buildApp(testConfig(databaseUrl));
  const { Agent } = await import('../helpers/agent.ts');
  const browser = new Agent(other);
  await browser.get('/login');
  await browser.submit('/login', { login: member.username, password: member.password });
  await browser.get(`/t/${thread.id}/${thread.slug}`);
  await other.close();
  const row = await db.selectFrom('member_days').select(['threads_entered', 'posts_read']).where('user_id', '=', member.id).executeTakeFirst();
  t.same(row, { threads_entered: 1, posts_read: 2 });
});

t.test('page views lead to a promotion: the facts flushed, the engine run, the member told', async (t) => {
  const { app, db, make, signIn, clock } = await testApp(t);
  const reader = await make.member({ rank: 0 });
  await changeSetting(db, 'rank1_threads_entered', 2, reader.id);
  await changeSetting(db, 'rank1_posts_read', 4, reader.id);
  await changeSetting(db, 'rank1_reading_minutes', 1, reader.id);
  const browser = await signIn(reader);
  for (const th of [await make.thread({ replies: 2 }), await make.thread({ replies: 2 })]) {
    await browser.get(`/t/${th.id}/${th.slug}`);
    clock.advance(45);
  }
  await app.memberDays.flush();
  t.same(await reviewRanks(db, [reader.id], clock.now(), app.log), { promoted: 0, demoted: 0 }, '45 seconds of reading is not a minute');
  await browser.get('/');
  const th = await make.thread();
  await browser.get(`/t/${th.id}/${th.slug}`);
  await app.memberDays.flush();
  t.same(await reviewRanks(db, [reader.id], clock.now(), app.log), { promoted: 1, demoted: 0 });
  t.equal((await rankNotices(db, reader.id)).length, 1);
  const notices = await browser.page('/notifications');
  t.match(notices.querySelector('.notification[data-kind=rank]')?.text, /You are now a Member/);
});

t.test('the profile shows the member and staff the rank, why, and each requirement\'s have and need; others the name only', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const member = await make.member({ rank: 1, username: 'Climber' });
  await seedFacts(db, make, member, { days: 7, entered: 12, read: 40, minutes: 25, likesGiven: 1 });
  const staff = await make.member({ role: 'staff' });
  const peer = await make.member();

  const own = await (await signIn(member)).page('/u/climber');
  const section = own.querySelector('.rank-standing');
  t.ok(section, 'the member sees their standing');
  t.match(section?.querySelector('h2')?.text, /Rank: Member/);
  t.match(section?.querySelector('.rank-why')?.text, /every requirement/);
  const row = (key: string, table = '.rank-next') => {
    const tr = section?.querySelector(`${table} tr[data-requirement=${key}]`);
    return tr && [tr.querySelector('.have')?.text.trim(), tr.querySelector('.need')?.text.trim(), tr.classList.contains('met')];
  };
  t.same(row('days_visited'), ['7', '15', false], 'days visited: 7 of 15');
  t.same(row('likes_given'), ['1', '1', true]);
  t.same(row('threads_entered'), ['12', '20', false]);
  t.same(row('reading_minutes'), ['25', '60', false]);
  t.same(row('posts_read', '.rank-requirements:not(.rank-next)'), ['40', '30', true], 'what rank 1 asked, met');
  t.equal(section?.querySelector('.rank-next')?.getAttribute('data-rank'), '2');

  const byStaff = await (await signIn(staff)).page('/u/climber');
  t.same(byStaff.querySelectorAll('.rank-next tr[data-requirement]').length, 7, 'staff see it too');
  for (const viewer of [await signIn(peer), make.guest()]) {
    const page = await viewer.page('/u/climber');
    t.equal(page.querySelector('.rank-standing'), null, 'another member or a guest does not');
    t.equal(page.querySelector('.profile-meta .rank')?.text, 'Member', 'but sees the rank\'s name');
  }
});

t.test('/ranks shows the thresholds in force and each Ambassador\'s impact over 90 days', async (t) => {
  const { app, db, make } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  await changeSetting(db, 'rank2_days_visited', 21, admin.id);
  const ambassador = await make.member({ rank: 4, username: 'Beacon' });
  const bannedAmbassador = await make.member({ rank: 4 });
  await db.updateTable('users').set({ banned_at: new Date() }).where('id', '=', bannedAmbassador.id).execute();
  const askers = [await make.member(), await make.member()];
  const category = await make.category();
  // Three answers accepted: two for one asker, one for another; one accept long ago does not count.
  const accepted: number[] = [];
  for (const [i, asker] of [askers[0], askers[0], askers[1]].entries()) {
    const q = await createThread(db, { categoryId: category.id, userId: asker.id, title: `A question worth asking ${i}`, body: 'How?', kind: 'question' });
    const answer = await createReply(db, { threadId: q.id, userId: ambassador.id, body: `Like this, ${i}` });
    await toggleAccept(db, { post: { id: answer.id, user_id: ambassador.id, post_number: answer.post_number, thread_id: q.id }, by: asker.id, at: app.now() });
    accepted.push(answer.id);
  }
  const old = await createThread(db, { categoryId: category.id, userId: askers[1].id, title: 'An old question here', body: 'How, then?', kind: 'question' });
  const oldAnswer = await createReply(db, { threadId: old.id, userId: ambassador.id, body: 'Long ago' });
  await toggleAccept(db, { post: { id: oldAnswer.id, user_id: ambassador.id, post_number: oldAnswer.post_number, thread_id: old.id }, by: askers[1].id, at: new Date(Date.now() - 120 * 86_400_000) });
  await like(db, askers[0].id, accepted);
  await like(db, askers[1].id, [oldAnswer.id], new Date(Date.now() - 120 * 86_400_000));

  const page = await make.guest().page('/ranks');
  t.equal(page.h1(), 'Ranks');
  t.equal(page.querySelectorAll('.rank-card').length, 5, 'every rank');
  const need = (rank: number, key: string) => page.querySelector(`#rank-${rank} [data-requirement=${key}] .need`)?.text;
  t.equal(need(1, 'threads_entered'), '5');
  t.equal(need(2, 'days_visited'), '21', 'the setting in force');
  t.equal(need(3, 'likes_received'), '20');
  t.equal(need(3, 'posts_upheld'), 'at most 5');
  t.match(page.querySelector('#rank-3 .rank-allows')?.text, /Renames, retags and recategorises threads/);
  t.match(page.querySelector('#rank-1 .rank-allows')?.text, /Flags posts for any reason/);
  t.match(page.querySelector('#rank-0 .rank-allows')?.text, /At most 2 links and 1 image/);
  t.equal(need(3, 'sanctions'), 'none');
  const rows = page.querySelectorAll('tr.ambassador');
  t.same(rows.map((r) => r.getAttribute('data-username')), ['Beacon'], 'a banned Ambassador is not listed');
  t.same(
    ['answers-accepted', 'members-helped', 'likes-received'].map((c) => rows[0]?.querySelector(`.${c}`)?.text),
    ['3', '2', '3'],
    'three answers accepted for two members, three likes, in the last 90 days',
  );
});

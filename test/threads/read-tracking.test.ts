import t from 'tap';
import { createReply } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';
import { capturedLog, WARN } from '../helpers/log.ts';

t.test('lists mark new threads and unread posts; opening a thread jumps to the first unread post', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, replies: 2 });
  const readerMember = await make.member();
  const reader = await signIn(readerMember);

  let home = await reader.page('/');
  const row = () => home.querySelectorAll('.thread-row').find((r) => r.querySelector('.thread-title')?.getAttribute('href') === `/t/${thread.id}/${thread.slug}`)!;
  t.ok(row().querySelector('.read-new'), 'never opened: new');

  const first = await reader.get(`/t/${thread.id}/${thread.slug}`);
  t.equal(first.statusCode, 200, 'a first visit opens at the top');
  home = await reader.page('/');
  t.equal(row().querySelector('.read-new'), null);
  t.equal(row().querySelector('.read-unread'), null, 'all read');

  for (let i = 0; i < 25; i++) await createReply(db, { threadId: thread.id, userId: author.id, body: `Later reply ${i}` });
  home = await reader.page('/');
  t.equal(row().querySelector('.read-unread')?.text, '25');

  const back = await reader.get(`/t/${thread.id}/${thread.slug}`);
  t.equal(back.statusCode, 303);
  t.equal(back.headers.location, `/t/${thread.id}/${thread.slug}?page=1#unread`, 'the first unread post (4) is on page 1');
  const page1 = await reader.page(`/t/${thread.id}/${thread.slug}?page=1`);
  const divider = page1.querySelector('#unread');
  t.ok(divider, 'a marker before the first unread post');
  t.match(divider?.nextElementSibling?.querySelector('.post-body')?.text, 'Later reply 0');

  const again = await reader.get(`/t/${thread.id}/${thread.slug}`);
  t.equal(again.headers.location, `/t/${thread.id}/${thread.slug}?page=2#unread`, 'page 1 read: on to page 2');
  const state = await db
    .selectFrom('thread_reads')
    .select('last_read_post_number')
    .where('user_id', '=', readerMember.id)
    .executeTakeFirstOrThrow();
  t.equal(state.last_read_post_number, 20);

  t.equal((await make.guest().get(`/t/${thread.id}/${thread.slug}`)).statusCode, 200, 'guests are never redirected');
  const guestHome = await make.guest().page('/');
  t.equal(guestHome.querySelectorAll('.read-mark').length, 0, 'and see no marks');
});

t.test('views are counted and written in one batch', async (t) => {
  const { make, app, db } = await testApp(t);
  const thread = await make.thread();
  for (let i = 0; i < 3; i++) await make.guest().get(`/t/${thread.id}/${thread.slug}`);
  await make.guest().get(`/t/${thread.id}`); // a redirect is not a view
  await app.threadViews.flush();
  const row = await db.selectFrom('threads').select('view_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.equal(row.view_count, 3);
});

t.test('views whose write failed are written with the next batch, and the failure is logged', async (t) => {
  const log = capturedLog();
  const { make, app, db } = await testApp(t, { logger: log.config });
  const full = await make.thread();
  const other = await make.thread();
  // A count at the column's limit: adding to it fails, in the database, for the whole batch.
  await db.updateTable('threads').set({ view_count: 2147483647 }).where('id', '=', full.id).execute();
  await make.guest().get(`/t/${full.id}/${full.slug}`);
  await make.guest().get(`/t/${other.id}/${other.slug}`);
  await app.threadViews.flush();
  const count = async (id: number) => (await db.selectFrom('threads').select('view_count').where('id', '=', id).executeTakeFirstOrThrow()).view_count;
  t.equal(await count(other.id), 0, 'the failed batch wrote nothing');
  const logged = log.lines.find((l) => /views/.test(l.msg) && l.level >= WARN);
  t.match(logged?.msg, /kept for the next/, 'the failure is logged, saying the views are kept');
  t.match(logged?.err?.message, /out of range/, 'with the database\'s error');

  await make.guest().get(`/t/${other.id}/${other.slug}`);
  await db.updateTable('threads').set({ view_count: 0 }).where('id', '=', full.id).execute();
  await app.threadViews.flush();
  t.equal(await count(full.id), 1, 'the kept view arrives');
  t.equal(await count(other.id), 2, 'with the one counted meanwhile');
  await app.threadViews.flush();
  t.equal(await count(other.id), 2, 'and only once');
});

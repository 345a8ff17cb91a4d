import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('a reply mentioning a member links them and notifies them; the thread author hears of the reply', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await make.category({ slug: 'general' });
  const starter = await make.member({ username: 'starter' });
  const mentioned = await make.member({ username: 'Mentioned_One' });
  const replier = await make.member({ username: 'replier' });

  const a = await signIn(starter);
  await a.get('/c/general/new');
  const created = await a.submit('/c/general/threads', { title: 'Who knows the API?', body: 'Asking around.' });
  const threadUrl = created.headers.location as string;
  const threadId = Number(/\/t\/(\d+)/.exec(threadUrl)![1]);

  const r = await signIn(replier);
  await r.get(threadUrl);
  await r.submit(`/t/${threadId}/replies`, { body: 'I think @mentioned_one does, and @nobody_here does not exist. `@starter` in code.' });
  const page = await r.page(threadUrl);
  const link = page.querySelector('article.post:last-of-type .post-body a.mention');
  t.equal(link?.getAttribute('href'), '/u/Mentioned_One');
  t.equal(link?.text, '@Mentioned_One');
  t.equal(page.querySelectorAll('a.mention').length, 1, 'only existing members, never inside code');

  const m = await signIn(mentioned);
  const home = await m.page('/');
  t.equal(home.querySelector('#nav-notifications .badge')?.text, '1', 'the unread count is in the navigation');
  const list = await m.page('/notifications');
  const item = list.querySelector('.notification.unread');
  t.equal(item?.getAttribute('data-kind'), 'mention');
  t.match(item?.text, /replier mentioned you in\s+Who knows the API\?/);

  const s = await signIn(starter);
  const starterList = await s.page('/notifications');
  t.equal(starterList.querySelector('.notification')?.getAttribute('data-kind'), 'reply');
  t.equal((await db.selectFrom('notifications').select('id').execute()).length, 2, 'one each, none for the replier');

  // Opening a notification marks it read and leads to the post.
  const form = list.querySelector('.notification form')!.getAttribute('action')!;
  const opened = await m.submit(form);
  t.equal(opened.statusCode, 303);
  t.match(opened.headers.location, /^\/p\/\d+$/);
  t.equal((await m.page('/')).querySelector('#nav-notifications .badge'), null, 'the count is gone');
});

t.test('watching, normal and muted', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category({ slug: 'news' });
  const author = await make.member();
  const { createThread, createReply } = await import('../../server/threads/queries.ts');
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Release notes', body: 'v1' });
  const watcher = await make.member();
  const muter = await make.member({ username: 'muter' });
  const categoryWatcher = await make.member();

  const w = await signIn(watcher);
  let page = await w.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector('#watch-level option[selected]')?.getAttribute('value'), 'normal');
  t.equal((await w.submit(`/t/${thread.id}/watch`, { level: 'watching' })).statusCode, 303);
  page = await w.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector('#watch-level option[selected]')?.getAttribute('value'), 'watching');
  t.equal((await w.submit(`/t/${thread.id}/watch`, { level: 'loud' })).statusCode, 422, 'unknown levels are refused');

  const a = await signIn(author);
  await a.page(`/t/${thread.id}/${thread.slug}`);
  await a.submit(`/t/${thread.id}/watch`, { level: 'muted' });
  const mu = await signIn(muter);
  await mu.page(`/t/${thread.id}/${thread.slug}`);
  await mu.submit(`/t/${thread.id}/watch`, { level: 'muted' });
  const cw = await signIn(categoryWatcher);
  await cw.page('/c/news');
  t.equal((await cw.submit('/c/news/watch', { level: 'watching' })).statusCode, 303);

  await createReply(db, { threadId: thread.id, userId: (await make.member()).id, body: 'Thanks! cc @muter' });
  const rows = await db.selectFrom('notifications').select(['user_id', 'kind']).orderBy('user_id').execute();
  t.same(
    rows,
    [
      { user_id: watcher.id, kind: 'watching' },
      { user_id: muter.id, kind: 'mention' },
      { user_id: categoryWatcher.id, kind: 'watching' },
    ].sort((x, y) => x.user_id - y.user_id),
    'watchers hear, the muted author does not, a muted member still hears a direct mention',
  );
});

t.test('notifications about deleted posts disappear; guests are sent to sign in', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  const replier = await make.member();
  const { createReply } = await import('../../server/threads/queries.ts');
  const reply = await createReply(db, { threadId: thread.id, userId: replier.id, body: 'Hello there' });
  const a = await signIn(author);
  t.equal((await a.page('/')).querySelector('#nav-notifications .badge')?.text, '1');
  const r = await signIn(replier);
  await r.get(`/p/${reply.id}/delete`);
  await r.submit(`/p/${reply.id}/delete`);
  t.equal((await a.page('/')).querySelector('#nav-notifications .badge'), null);
  t.equal((await a.page('/notifications')).querySelectorAll('.notification').length, 0);

  const guest = await make.guest().get('/notifications');
  t.equal(guest.statusCode, 303);
  t.equal(guest.headers.location, '/login?next=%2Fnotifications');
  const count = await a.get('/notifications/count', { 'hx-request': 'true' });
  t.equal(count.statusCode, 200);
  t.notMatch(count.body, /<html/);
  t.notMatch(count.body, /class="badge"/);
});

t.test('one can only mark one\'s own notifications read', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  const { createReply } = await import('../../server/threads/queries.ts');
  await createReply(db, { threadId: thread.id, userId: (await make.member()).id, body: 'Hi' });
  const n = await db.selectFrom('notifications').select('id').executeTakeFirstOrThrow();
  const other = await signIn(await make.member());
  await other.get('/');
  t.equal((await other.submit(`/notifications/${n.id}/read`)).statusCode, 404);
  const a = await signIn(author);
  await a.get('/notifications');
  t.equal((await a.submit('/notifications/read-all')).statusCode, 303);
  const row = await db.selectFrom('notifications').select('read_at').where('id', '=', n.id).executeTakeFirstOrThrow();
  t.ok(row.read_at);
});

import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { buildApp, type AppConfig } from '../../server/app.ts';
import { createReply } from '../../server/threads/queries.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';

t.test('a guest page is served from the cache without a query, and never after a write changed it', async (t) => {
  const { make, signIn, app, db } = await testApp(t);
  const thread = await make.thread({ title: 'Cached thread here' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const guest = make.guest();
  await guest.get(url);
  let before = app.queryCount();
  const hit = await guest.get(url);
  t.equal(app.queryCount() - before, 0, 'a repeat guest visit costs no query');
  t.equal(hit.page().h1(), 'Cached thread here');
  // The same bytes for every guest: no token (a guest posts nothing from it), no cookie.
  t.equal(hit.page().csrf(), '', 'no token on a kept page');
  t.same(hit.cookies, [], 'and no cookie set');
  t.equal(hit.body, (await make.guest().get(url)).body, 'every guest gets the same page');
  const etag = String(hit.headers.etag);
  t.match(etag, /^"[\w-]{22}"$/, 'with an ETag');
  t.equal(hit.headers['cache-control'], 'no-cache', 'checked again on each visit');
  const again = await guest.get(url, { 'if-none-match': etag });
  t.equal(again.statusCode, 304, 'an unchanged page answers 304');
  t.equal(again.body, '');
  for (const [accept, encoding, unpack] of [['br, gzip', 'br', brotliDecompressSync], ['gzip', 'gzip', gunzipSync]] as const) {
    const packed = await guest.get(url, { 'accept-encoding': accept });
    t.equal(packed.headers['content-encoding'], encoding, `sent as ${encoding} when accepted`);
    t.equal(unpack(packed.rawPayload).toString(), hit.body, 'the same page');
  }

  // A member replies through the form: the guest's next view shows the reply at once.
  const member = await signIn(await make.member());
  await member.get(url);
  await member.submit(`/t/${thread.id}/replies`, { body: 'A fresh reply' });
  const guestView = await guest.page(url);
  t.equal(guestView.querySelectorAll('article.post').length, 2);

  // A like, an edit, a title change by a direct write: each invalidates.
  await db.updateTable('threads').set({ title: 'Renamed thread here' }).where('id', '=', thread.id).execute();
  t.equal((await guest.page(url)).h1(), 'Renamed thread here');
  const someone = await db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  await createReply(db, { threadId: thread.id, userId: someone.id, body: 'Direct reply' });
  t.equal((await guest.page(url)).querySelectorAll('article.post').length, 3);

  // Views are still counted on cached visits.
  await app.threadViews.flush();
  const { view_count: counted } = await db.selectFrom('threads').select('view_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
  before = counted;
  await guest.get(url);
  await guest.get(url);
  await app.threadViews.flush();
  const after = await db.selectFrom('threads').select('view_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.equal(after.view_count, before + 2);
});

t.test('members, messages and the view counter never touch the cache', async (t) => {
  const { make, signIn, app } = await testApp(t);
  const thread = await make.thread();
  const url = `/t/${thread.id}/${thread.slug}`;
  const member = await signIn(await make.member({ username: 'looker' }));
  await member.get(url);
  const before = app.queryCount();
  const page = await member.page(url);
  t.ok(app.queryCount() - before > 0, 'a member always gets a page of their own');
  t.equal(page.querySelector('.nav-user')?.text, 'looker');
  const guest = make.guest();
  await guest.get(url);
  t.equal((await guest.page(url)).querySelector('.nav-user'), null, 'and no guest ever sees it');

  // The batched view count does not invalidate pages.
  await guest.get(url);
  await app.threadViews.flush();
  const q = app.queryCount();
  await guest.get(url);
  t.equal(app.queryCount() - q, 0, 'still cached after the view count was written');
});

t.test('two processes on one database: a write in one reaches the other\'s cache', async (t) => {
  const { make, db, databaseUrl } = await testApp(t);
  const b = await buildApp(testConfig(databaseUrl, { poolSize: 2 }));
  t.teardown(() => b.close());
  const thread = await make.thread({ title: 'Shared between two' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const onB = new Agent(b);
  await onB.get(url);
  const q = b.queryCount();
  await onB.get(url);
  t.equal(b.queryCount() - q, 0, 'B has it cached');
  const author = await db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  await createReply(db, { threadId: thread.id, userId: author.id, body: 'Written elsewhere' });
  // B hears of the change as soon as the notification arrives; sync waits for exactly that.
  await b.pageCache!.sync();
  const page = await onB.page(url);
  t.equal(page.querySelectorAll('article.post').length, 2, 'B serves the new version');
});

t.test('a hit served before the session layer is the same page, headers and all', async (t) => {
  const { make, app } = await testApp(t);
  const thread = await make.thread({ title: 'Served early' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const miss = await make.guest().get(url);
  const views = async () => (await app.db.selectFrom('threads').select('view_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).view_count;
  await app.threadViews.flush();
  const viewsBefore = await views();

  // A new visitor: no cookies at all.
  const visitor = make.guest();
  const hit = await visitor.get(url);
  t.equal(hit.statusCode, 200);
  t.equal(hit.page().h1(), 'Served early');
  for (const name of ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
    t.equal(hit.headers[name], miss.headers[name], `${name} as on the page rendered`);
  }
  t.match(hit.headers['content-type'], /^text\/html/);
  t.equal(hit.headers['set-cookie'], undefined, 'no cookie: no session, no CSRF secret');

  // The visitor signs in from the sign-in page, which gives the token the kept page has not.
  const member = await make.member();
  await visitor.get('/login');
  const signedIn = await visitor.submit('/login', { login: member.username, password: member.password });
  t.equal(signedIn.statusCode, 303, 'the sign-in page\'s token signs the visitor in');

  // The hit still counts as a view.
  await app.threadViews.flush();
  t.equal(await views(), viewsBefore + 1, 'a view is counted for the hit');
});

t.test('each cache has its own switch, and pageCache: false turns them all off', async (t) => {
  const { make, databaseUrl } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread({ replies: 1 });
  const url = `/t/${thread.id}/${thread.slug}`;

  /** What one app with these switches keeps. */
  async function kept(config: Partial<AppConfig>) {
    const app = await buildApp(testConfig(databaseUrl, { poolSize: 2, ...config }));
    t.teardown(() => app.close());
    // The queries of a third visit: a member's first one marks the page read, which the second reads again.
    const third = async (agent: Agent, path: string) => {
      await agent.get(path);
      await agent.get(path);
      const q = app.queryCount();
      await agent.get(path);
      return app.queryCount() - q;
    };
    const reader = new Agent(app);
    await reader.get('/login');
    t.equal((await reader.submit('/login', { login: member.username, password: member.password })).statusCode, 303);
    const rules = await app.postingRules.get();
    return {
      guestPages: (await third(new Agent(app), url)) === 0,
      // A kept session costs no query: the member's search page costs what a guest's does.
      sessions: (await third(reader, '/search')) === (await third(new Agent(app), '/search')),
      memberPages: (await third(reader, `${url}?page=1`)) === 0,
      settings: (await app.postingRules.get()) === rules,
      bus: app.pageCache !== null,
    };
  }

  const all = { guestPages: true, sessions: true, memberPages: true, settings: true, bus: true };
  t.same(await kept({}), all, 'all on by default');
  t.same(await kept({ cache: { guestPages: false } }), { ...all, guestPages: false }, 'guest pages off');
  // A member's thread page reads their session too: with sessions off it always costs a query.
  t.same(await kept({ cache: { sessions: false } }), { ...all, sessions: false, memberPages: false }, 'sessions off');
  t.same(await kept({ cache: { memberPages: false } }), { ...all, memberPages: false }, 'member pages off');
  t.same(await kept({ cache: { settings: false } }), { ...all, settings: false }, 'settings off');
  const none = { guestPages: false, sessions: false, memberPages: false, settings: false, bus: false };
  t.same(await kept({ cache: { guestPages: false, sessions: false, memberPages: false, settings: false } }), none, 'all off: no bus either');
  t.same(await kept({ pageCache: false }), none, 'pageCache: false is all off');
});

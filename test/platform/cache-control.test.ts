// What caches on the way may keep: a signed-in member's pages, and any answer that sets a cookie,
// are for that browser alone (private, no-store); guests' kept pages are shared and checked again
// by their ETag (no-cache).
import t from 'tap';
import { threadUrl } from '../../server/addresses.ts';
import { testApp } from '../helpers/app.ts';

const PRIVATE = 'private, no-store';

t.test("a signed-in member's pages, fragments and redirects are private and never stored", async (t) => {
  const { make, signIn } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, title: 'Kept for no one', replies: 25 });
  const url = threadUrl(thread);
  const member = await make.member();
  const browser = await signIn(member);
  const pages = ['/', url, `${url}?page=2`, `/u/${author.username}`, '/search?q=kept', '/notifications', '/no-such-page'];
  for (const address of pages) {
    const res = await browser.get(address);
    t.ok(res.statusCode < 500, `${address} answered`);
    t.equal(res.headers['cache-control'], PRIVATE, `${address}: ${PRIVATE}`);
  }
  // The same page twice: a plain member's thread page is shared between members in memory, not with caches.
  t.equal((await browser.get(url)).headers['cache-control'], PRIVATE, 'the shared member rendering too');
  const fragment = await browser.get(`${url}?page=2`, { 'hx-request': 'true' });
  t.equal(fragment.headers['cache-control'], PRIVATE, 'an htmx fragment');
  const count = await browser.get('/notifications/count');
  t.equal(count.headers['cache-control'], PRIVATE, 'the notification count');
  await browser.get(url);
  const replied = await browser.submit(`/t/${thread.id}/replies`, { body: 'A reply, then a redirect' });
  t.equal(replied.statusCode, 303);
  t.equal(replied.headers['cache-control'], PRIVATE, 'the redirect after a form');
});

t.test('signing in and out set the session cookie: private, never stored', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member();
  const browser = make.guest();
  const form = await browser.get('/login');
  t.equal(form.headers['cache-control'], PRIVATE, 'the sign-in form sets its CSRF cookie');
  const signedIn = await browser.submit('/login', { login: member.username, password: member.password });
  t.equal(signedIn.statusCode, 303);
  t.ok(signedIn.headers['set-cookie'], 'a session cookie is set');
  t.equal(signedIn.headers['cache-control'], PRIVATE, 'the answer that sets it');
  await browser.get('/');
  const out = await browser.submit('/logout');
  t.equal(out.statusCode, 303);
  t.equal(out.headers['cache-control'], PRIVATE, 'the answer that ends it');
});

t.test("guests' kept pages keep what they had: no-cache, with an ETag", async (t) => {
  const { make } = await testApp(t);
  const thread = await make.thread({ title: 'Shared by every guest' });
  const url = threadUrl(thread);
  const guest = make.guest();
  for (const address of ['/', url]) {
    const first = await guest.get(address);
    const kept = await guest.get(address);
    for (const res of [first, kept]) {
      t.equal(res.statusCode, 200);
      t.equal(res.headers['cache-control'], 'no-cache', `${address}: checked again on each visit`);
      t.ok(res.headers.etag, 'by its ETag');
      t.same(res.cookies, [], 'setting no cookie');
    }
    const unchanged = await guest.get(address, { 'if-none-match': String(kept.headers.etag) });
    t.equal(unchanged.statusCode, 304);
    t.equal(unchanged.headers['cache-control'], 'no-cache');
  }
});

t.test("a member's refused request is private too", async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const browser = await signIn(await make.member());
  for (const address of [`${threadUrl(thread)}?page=abc`, '/u/%00', '/admin']) {
    const res = await browser.get(address);
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${address} refused`);
    t.equal(res.headers['cache-control'], PRIVATE, `${address}: ${PRIVATE}`);
  }
});

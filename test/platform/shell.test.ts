import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('the page shell: CSP without inline script, htmx from /static with defer, security headers', async (t) => {
  const { make } = await testApp(t);
  const res = await make.guest().get('/');
  t.equal(res.statusCode, 200);
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  t.match(csp, /frame-ancestors 'none'/);
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  const page = res.page();
  const scripts = page.querySelectorAll('script');
  t.ok(scripts.length >= 1);
  for (const s of scripts) {
    t.ok(s.getAttribute('src')?.startsWith('/static/'), 'every script is a file from /static');
    t.ok(s.hasAttribute('defer'), 'and deferred');
    t.equal(s.text.trim(), '', 'no inline script');
  }
  t.ok(scripts.some((s) => /htmx\.min\.js/.test(s.getAttribute('src') ?? '')));
  t.equal(page.querySelectorAll('[style]').length, 0, 'no inline styles');
});

t.test('static files are served and cached', async (t) => {
  const { make } = await testApp(t);
  const page = await make.guest().page('/');
  for (const el of [...page.querySelectorAll('script[src]'), ...page.querySelectorAll('link[rel=stylesheet]')]) {
    const url = el.getAttribute('src') ?? el.getAttribute('href')!;
    const res = await make.guest().get(url);
    t.equal(res.statusCode, 200, url);
    t.match(String(res.headers['cache-control']), /max-age=\d+/);
  }
  t.equal((await make.guest().get('/static/vendor/package.json')).statusCode, 404, 'only htmx itself from its package');
});

t.test('a guest reading pages gets no session row', async (t) => {
  const { make, db } = await testApp(t);
  const guest = make.guest();
  for (const path of ['/', '/login', '/register', '/u/nobody', '/healthz']) await guest.get(path);
  t.equal(guest.session(), undefined);
  t.equal((await db.selectFrom('sessions').select('id').execute()).length, 0);
});

t.test('session cookies are httpOnly and SameSite=Lax, and Secure under https', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member();
  const agent = make.guest();
  await agent.get('/login');
  const res = await agent.submit('/login', { login: member.username, password: member.password });
  const cookie = String([res.headers['set-cookie']].flat().find((c) => String(c).startsWith('hearth_session=')));
  t.match(cookie, /HttpOnly/);
  t.match(cookie, /SameSite=Lax/);
  t.notMatch(cookie, /Secure/, 'plain http: no Secure flag, or the browser would drop it');
});

t.test('under https (behind a proxy), the session cookie is Secure', async (t) => {
  const { make, app } = await testApp(t, { baseUrl: 'https://community.example' });
  const member = await make.member();
  const login = await app.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
  const csrfCookie = login.cookies.find((c) => c.name === 'hearth_csrf')!;
  const token = /name="csrf-token" content="([^"]+)"/.exec(login.body)![1];
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: {
      'x-forwarded-proto': 'https',
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `hearth_csrf=${csrfCookie.value}`,
    },
    payload: new URLSearchParams({ _csrf: token, login: member.username, password: member.password }).toString(),
  });
  t.equal(res.statusCode, 303);
  const cookie = String([res.headers['set-cookie']].flat().find((c) => String(c).startsWith('hearth_session=')));
  t.match(cookie, /; Secure/);
  t.match(String(res.headers['strict-transport-security']), /max-age/);
});

t.test('404, 403 and 500 pages; a 500 shows a request id and the error is logged', async (t) => {
  const logged: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const boomRoute = async (site: FastifyInstance) => {
    site.get('/test-only/boom', async () => {
      throw new Error('database on fire');
    });
  };
  const { make } = await testApp(t, { logger: { level: 'error', stream }, plugins: [boomRoute] });
  const missing = await make.guest().get('/no/such/page');
  t.equal(missing.statusCode, 404);
  t.equal(missing.page().h1(), 'Page not found');

  const boom = await make.guest().get('/test-only/boom');
  t.equal(boom.statusCode, 500);
  const page = boom.page();
  t.equal(page.h1(), 'Something went wrong');
  t.notMatch(boom.body, /database on fire/, 'the error itself is not shown');
  const id = page.querySelector('.request-id')?.text;
  t.ok(id && id.length >= 6, 'a request id is shown');
  const entry = logged.map((l) => JSON.parse(l)).find((l) => l.reqId === id);
  t.ok(entry, 'the error is logged with the same request id');
  t.match(entry?.err?.message, 'database on fire');
});

t.test('health and readiness answer JSON', async (t) => {
  const { make } = await testApp(t);
  const health = await make.guest().get('/healthz');
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  const ready = await make.guest().get('/readyz');
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', database: 'ok' });
});

t.test('the navigation knows the signed-in member', async (t) => {
  const { make, signIn } = await testApp(t);
  const guestNav = await make.guest().page('/');
  t.ok(guestNav.querySelector('nav a[href="/login"]'));
  t.equal(guestNav.querySelector('.nav-user'), null);
  const member = await make.member({ username: 'navi' });
  const agent = await signIn(member);
  const nav = await agent.page('/');
  t.equal(nav.querySelector('.nav-user')?.text, 'navi');
  t.equal(nav.querySelector('nav a[href="/login"]'), null);
  t.ok(nav.querySelector('form[action="/logout"] input[name=_csrf]'), 'sign out is a form with a token');
});

t.test('static files cost a signed-in member no session lookup', async (t) => {
  const { make, app, signIn } = await testApp(t);
  const member = await signIn(await make.member());
  const css = (await member.page('/')).querySelector('link[rel=stylesheet]')!.getAttribute('href')!;
  const before = app.queryCount();
  t.equal((await member.get(css)).statusCode, 200);
  t.equal(app.queryCount() - before, 0);
  t.equal((await member.get('/static/missing.css')).statusCode, 404);
});

t.test('pages and static files are compressed', async (t) => {
  const { make, app } = await testApp(t);
  await make.thread({ body: 'word '.repeat(500) });
  const page = await app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } });
  t.equal(page.headers['content-encoding'], 'br');
  const css = /href="(\/static\/css\/[^"]+)"/.exec((await app.inject({ url: '/' })).body)![1];
  const style = await app.inject({ url: css, headers: { 'accept-encoding': 'gzip' } });
  t.equal(style.headers['content-encoding'], 'gzip');
  const plain = await app.inject({ url: '/' });
  t.equal(plain.headers['content-encoding'], undefined, 'not for a client that does not ask');
});

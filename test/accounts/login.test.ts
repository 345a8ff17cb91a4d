import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { safeNext } from '../../server/accounts/rules.ts';
import { readConfig } from '../../server/config.ts';
import { testApp, type Member } from '../helpers/app.ts';
import { parsePage } from '../helpers/html.ts';

t.test('a member signs in by username or by email, in any case', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member({ username: 'Marie' });
  for (const login of ['Marie', 'marie', member.email, member.email.toUpperCase()]) {
    const guest = make.guest();
    await guest.get('/login');
    const res = await guest.submit('/login', { login, password: member.password });
    t.equal(res.statusCode, 303, `signs in as ${login}`);
    t.equal((await guest.page('/')).querySelector('.nav-user')?.text, 'Marie');
  }
});

t.test('a wrong password and an unknown login get the same answer', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const guest = make.guest();
  await guest.get('/login');
  const wrong = await guest.submit('/login', { login: member.username, password: 'not the password' });
  const unknown = await guest.submit('/login', { login: 'nobody_here', password: 'not the password' });
  t.equal(wrong.statusCode, 401);
  t.equal(unknown.statusCode, 401);
  t.same(wrong.page().messages(), unknown.page().messages());
  t.match(wrong.page().messages()[0], /do not match/);
  t.equal(wrong.page().values().login, member.username, 'the login is kept');
  t.equal(wrong.page().values().password, '', 'the password is not');
  t.equal(guest.session(), undefined, 'no session for a failed sign-in');
  const sessions = await db.selectFrom('sessions').select('id').execute();
  t.equal(sessions.length, 0);
});

t.test('signing in gives a new session id; signing out destroys the session', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const agent = make.guest();
  // A session planted before sign-in (session fixation) must be worthless after it.
  const first = await agent.get('/login');
  t.equal(first.statusCode, 200);
  await agent.submit('/login', { login: member.username, password: 'wrong password!' });
  const planted = 'planted-session-id.signature';
  agent.cookies.set('hearth_session', planted);
  const res = await agent.submit('/login', { login: member.username, password: member.password });
  t.equal(res.statusCode, 303);
  const afterLogin = agent.session();
  t.ok(afterLogin);
  t.not(afterLogin, planted);

  const rows = await db.selectFrom('sessions').select(['id', 'user_id']).execute();
  t.equal(rows.length, 1);
  t.equal(rows[0].user_id, member.id);
  t.ok(afterLogin!.startsWith(rows[0].id), 'the cookie carries the stored id');

  // Signing in again rotates the id again.
  await agent.get('/');
  const again = await agent.submit('/login', { login: member.username, password: member.password });
  t.equal(again.statusCode, 303);
  t.not(agent.session(), afterLogin);
  const stolen = make.guest();
  stolen.cookies.set('hearth_session', afterLogin!);
  t.equal((await stolen.page('/')).querySelector('.nav-user'), null, 'the old id no longer signs anyone in');

  await agent.get('/');
  const out = await agent.submit('/logout');
  t.equal(out.statusCode, 303);
  t.equal(agent.session(), undefined, 'the cookie is cleared');
  const home = await agent.page('/');
  t.equal(home.querySelector('.nav-user'), null);
  t.match(home.messages().join(' '), /signed out/);
  t.equal((await db.selectFrom('sessions').select('id').execute()).length, 0, 'the session row is gone');
});

t.test('sign-in goes back to a local page only', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member();
  for (const [next, expected] of [
    ['/u/' + member.username, '/u/' + member.username],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
  ]) {
    const agent = make.guest();
    const form = await agent.page(`/login?next=${encodeURIComponent(next)}`);
    const res = await agent.submit('/login', { login: member.username, password: member.password, next: form.values().next });
    t.equal(res.headers.location, expected, `next=${next}`);
  }
});

// Browsers drop tabs and newlines from a URL and read \ as /, so "/<TAB>/evil.example" is
// "//evil.example": another site. A newline in a Location header cannot be sent at all.
const HOSTILE_NEXT = [
  '/\t/evil.example', '/\n/x', '/\r/evil.example', '/\r\nSet-Cookie: a=b', '\t//evil.example',
  '/\\evil.example', '\\\\evil.example', '/a\\..\\..\\evil', '//evil.example', '///evil.example', '%2F%2Fevil.example',
  'https://evil.example/', 'https:evil.example', 'javascript:alert(1)', '/ /evil.example', '/\x7f/evil.example',
  '/\u00a0/evil.example', '/\u2028/evil.example', '/\u3000/evil.example', '/日本', '', ' /u/x',
];
const NULL_NEXT = '/\0/evil.example';
// A test name with a line separator in it would break the TAP stream: escaped to ASCII.
const shown = (next: unknown) =>
  `next=${JSON.stringify(next)?.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
const KEPT_NEXT = ['/u/someone', '/t/5-a-thread?page=2#p7', '/search?q=caf%C3%A9+menu', '/%2F%2Fevil.example', '/%09/evil.example'];

t.test('after signing in, only a printable path of this site is followed', async (t) => {
  for (const next of [...HOSTILE_NEXT, NULL_NEXT, undefined, 42]) t.equal(safeNext(next), '/', shown(next));
  for (const next of KEPT_NEXT) t.equal(safeNext(next), next, `next=${next}`);
});

t.test('a hostile next still signs in, and lands on a path of this site', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member();
  for (const next of HOSTILE_NEXT) {
    const label = shown(next);
    // Sent as the sign-in form's field (a page elsewhere can post it) and through /login?next=.
    for (const via of ['field', 'query'] as const) {
      const agent = make.guest();
      const form = await agent.page(`/login?next=${encodeURIComponent(next)}`);
      const sent = via === 'field' ? next : form.values().next;
      const res = await agent.submit('/login', { login: member.username, password: member.password, next: sent });
      t.equal(res.statusCode, 303, `${label} by ${via}: signed in`);
      t.equal(res.headers.location, '/', `${label} by ${via}: home`);
      t.equal((await agent.page('/')).querySelector('.nav-user')?.text, member.username, `${label} by ${via}: the session works`);
    }
  }
  for (const next of KEPT_NEXT) {
    const agent = make.guest();
    await agent.get('/login');
    const res = await agent.submit('/login', { login: member.username, password: member.password, next });
    t.equal(res.headers.location, next, `next=${next} is kept`);
  }
  // A null byte is refused in any form before the route reads it (server/security): the
  // member is shown the form again, or signed in and sent home, never an error or elsewhere.
  const agent = make.guest();
  await agent.get('/login');
  const res = await agent.submit('/login', { login: member.username, password: member.password, next: NULL_NEXT });
  t.ok(res.statusCode < 500, `a null byte in next: ${res.statusCode}`);
  if (res.statusCode === 303) t.equal(res.headers.location, '/', 'a null byte in next: home');
  else t.equal(res.page().values().login, member.username, 'a null byte in next: the form again, the login kept');
});

t.test('sign-in attempts are limited per address', async (t) => {
  const { make } = await testApp(t, { limits: { loginPerMinute: 6, registerPerHour: 10 } });
  const member = await make.member();
  const guest = make.guest();
  await guest.get('/login');
  for (let i = 0; i < 6; i++) {
    const res = await guest.submit('/login', { login: member.username, password: 'wrong password ' + i });
    t.equal(res.statusCode, 401, `attempt ${i + 1} is heard`);
  }
  const res = await guest.submit('/login', { login: member.username, password: member.password });
  t.equal(res.statusCode, 429, 'the seventh, even with the right password, is refused');
  t.ok(Number(res.headers['retry-after']) > 0);
  t.match(res.page().messages().join(' '), /Too many attempts/);
  t.equal(res.page().values().login, member.username);
  t.equal(guest.session(), undefined);
});

/**
 * Sign-in attempts arriving from `proxy`. Each comes from a client at `client` that wrote
 * X-Forwarded-For: `written` itself; the proxy appends the client's address, as proxies do.
 * With no client, `proxy` is the client itself, connecting directly.
 */
async function attemptsThrough(app: FastifyInstance, proxy: string, member: Member) {
  const login = await app.inject({ url: '/login', remoteAddress: proxy });
  const csrf = login.cookies.find((c) => c.name === 'hearth_csrf')!;
  const token = parsePage(login.body).csrf();
  return (client: string | null, written: string, password = 'wrong password') =>
    app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: proxy,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `hearth_csrf=${encodeURIComponent(csrf.value)}`,
        'x-forwarded-for': client ? `${written}, ${client}` : written,
      },
      payload: new URLSearchParams({ _csrf: token, login: member.username, password }).toString(),
    });
}

const randomAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
// What a client may write: an address of its choosing, alone or around a fixed one.
const written = (i: number) => [randomAddress(), `1.2.3.4, ${randomAddress()}`, `${randomAddress()}, 1.2.3.4`][i % 3];

t.test('behind an https proxy, an X-Forwarded-For the client wrote does not escape the sign-in limit', async (t) => {
  const { app, make } = await testApp(t, { baseUrl: 'https://forum.example', limits: { loginPerMinute: 6, registerPerHour: 10 } });
  const member = await make.member();
  const attempt = await attemptsThrough(app, '127.0.0.1', member);
  for (let i = 0; i < 6; i++) t.equal((await attempt('203.0.113.7', written(i))).statusCode, 401, `attempt ${i + 1} is heard`);
  const seventh = await attempt('203.0.113.7', written(6), member.password);
  t.equal(seventh.statusCode, 429, 'the seventh from the same client is refused, whatever it wrote');
  // The limit is the client's, not the proxy's: everyone else still signs in.
  t.equal((await attempt('203.0.113.8', written(7), member.password)).statusCode, 303, 'another client signs in');
});

t.test('with TRUST_PROXY listing the proxies, only they may say who the client is', async (t) => {
  const { trustProxy } = readConfig({ BASE_URL: 'https://forum.example', TRUST_PROXY: '192.0.2.10, 10.1.0.0/16', SESSION_SECRET: 'x'.repeat(40) });
  const { app, make } = await testApp(t, { baseUrl: 'https://forum.example', trustProxy, limits: { loginPerMinute: 3, registerPerHour: 10 } });
  const member = await make.member();
  for (const proxy of ['192.0.2.10', '10.1.4.2']) {
    const attempt = await attemptsThrough(app, proxy, member);
    const client = proxy === '192.0.2.10' ? '203.0.113.20' : '203.0.113.21';
    for (let i = 0; i < 3; i++) t.equal((await attempt(client, written(i))).statusCode, 401);
    t.equal((await attempt(client, written(3), member.password)).statusCode, 429, `through ${proxy}: the client is counted`);
  }
  // A client reaching the app itself, not through a listed proxy, is counted by its own address.
  const direct = await attemptsThrough(app, '198.51.100.30', member);
  for (let i = 0; i < 3; i++) t.equal((await direct(null, written(i))).statusCode, 401);
  t.equal((await direct(null, written(3), member.password)).statusCode, 429, 'a direct client is counted by its address');
});

t.test('the profile page shows a member', async (t) => {
  const { make } = await testApp(t);
  const member = await make.member({ rank: 2 });
  await make.thread({ by: member, title: 'My first thread here' });
  const page = await make.guest().page(`/u/${member.username.toUpperCase()}`);
  t.equal(page.h1(), member.username);
  t.match(page.querySelector('.rank')?.text, 'Contributor');
  t.match(page.text, 'My first thread here');
  const missing = await make.guest().get('/u/nobody_at_all');
  t.equal(missing.statusCode, 404);
});

// The account page's security: changing the password, the sessions the account is signed in
// with (ending one, or all), and the latest sign-ins.
import pg from 'pg';
import t from 'tap';
import { verifyPassword } from '../../server/accounts/passwords.ts';
import { deviceName } from '../../server/account/rules.ts';
import { SIGN_INS_KEPT_DAYS } from '../../server/account/queries.ts';
import { scheduled } from '../../server/jobs/index.ts';
import { signedInFrom } from '../../server/sessions/index.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, type Member } from '../helpers/app.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

type Harness = Awaited<ReturnType<typeof testApp>>;

/** A browser signed in through the real /login form, saying it is this browser (and every request after). */
async function signInAs(h: Harness, member: Member, userAgent: string, password = member.password) {
  const agent = new Agent(h.app);
  const request = agent.request.bind(agent);
  agent.request = (method, url, opts = {}) => request(method, url, { ...opts, headers: { 'user-agent': userAgent, ...opts.headers } });
  await agent.get('/login');
  const res = await agent.submit('/login', { login: member.username, password });
  return { agent, res };
}

const signedIn = async (agent: Agent) => (await agent.page('/search')).querySelector('.nav-user') !== null;

t.test('a guest is sent to sign in; the navigation leads a member to their account page', async (t) => {
  const h = await testApp(t);
  const res = await h.make.guest().get('/account');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login?next=%2Faccount');
  const agent = await h.signIn(await h.make.member());
  t.equal((await agent.page('/search')).querySelector('a.nav-settings')?.getAttribute('href'), '/account');
  const page = await agent.page('/account');
  t.equal(page.h1(), 'Your account');
  t.same(page.querySelectorAll('.account-section h2').map((e) => e.text), ['Profile', 'Avatar', 'Password', "Where you're signed in", 'Recent sign-ins', 'Your data']);
});

t.test('a wrong current password changes nothing, and the form comes back without the passwords', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const { agent: other } = await signInAs(h, member, SAFARI_IPHONE);
  const before = await h.db.selectFrom('users').select('password_hash').where('id', '=', member.id).executeTakeFirstOrThrow();
  await agent.get('/account');
  const res = await agent.submit('/account/password', { current_password: 'not my password', new_password: 'a brand new password' });
  t.equal(res.statusCode, 422);
  const page = res.page();
  t.match(page.fieldErrors().current_password, /not your current password/);
  t.equal(page.querySelector('#field-current_password')?.getAttribute('value'), undefined, 'the current password is not echoed');
  t.equal(page.querySelector('#field-new_password')?.getAttribute('value'), undefined, 'nor the new one');
  t.notOk(res.body.includes('a brand new password'));
  t.equal(page.querySelectorAll('.account-session').length, 2, 'the rest of the page is drawn again');

  // A new password too short, with the right current one.
  const short = await agent.submit('/account/password', { current_password: member.password, new_password: 'short' });
  t.equal(short.statusCode, 422);
  t.match(short.page().fieldErrors().new_password, /at least 10 characters/);

  const after = await h.db.selectFrom('users').select('password_hash').where('id', '=', member.id).executeTakeFirstOrThrow();
  t.equal(after.password_hash, before.password_hash, 'the password is unchanged');
  t.ok(await signedIn(other), 'the other session is still signed in');
  t.ok(await signedIn(agent));
});

t.test('a new password: the old one no longer signs in, every other session ends at once, this one stays under a new id', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const bystander = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const { agent: other } = await signInAs(h, member, SAFARI_IPHONE);
  const { agent: theirs } = await signInAs(h, bystander, SAFARI_IPHONE);
  // Both kept in memory before the change (the change bus must reach them).
  t.ok(await signedIn(other));
  t.ok(await signedIn(agent));
  const cookie = agent.session();

  await agent.get('/account');
  const res = await agent.submit('/account/password', { current_password: member.password, new_password: 'a brand new password' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  t.not(agent.session(), cookie, 'this session has a new id');
  const page = await agent.page('/account');
  t.match(page.messages().join(' '), /password is changed/);
  t.ok(page.querySelector('.nav-user'), 'and stays signed in');
  t.equal(page.querySelectorAll('.account-session').length, 1, 'the only session left is this one');

  t.notOk(await signedIn(other), 'the other session is signed out at once');
  t.ok(await signedIn(theirs), "another member's session is untouched");
  const stolen = h.make.guest();
  stolen.cookies.set('hearth_session', cookie!);
  t.notOk(await signedIn(stolen), 'the old id signs no one in');

  const hash = await h.db.selectFrom('users').select('password_hash').where('id', '=', member.id).executeTakeFirstOrThrow();
  t.ok(await verifyPassword(hash.password_hash, 'a brand new password'));
  t.equal((await signInAs(h, member, FIREFOX_WINDOWS)).res.statusCode, 401, 'the old password no longer signs in');
  t.equal((await signInAs(h, member, FIREFOX_WINDOWS, 'a brand new password')).res.statusCode, 303, 'the new one does');
});

t.test('password attempts are limited like sign-in attempts', async (t) => {
  const h = await testApp(t, { limits: { loginPerMinute: 3, registerPerHour: 1000 } });
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  await agent.get('/account');
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await agent.submit('/account/password', { current_password: `guess ${i}`, new_password: 'a brand new password' })).statusCode);
  t.same(codes, [422, 422, 422, 429]);
});

t.test('the sessions list shows each session with its device and address, this one marked; ending the other signs it out at once', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const { agent: phone } = await signInAs(h, member, SAFARI_IPHONE);
  t.ok(await signedIn(phone));

  const page = await agent.page('/account');
  const rows = page.querySelectorAll('.account-session');
  t.equal(rows.length, 2);
  const devices = rows.map((r) => r.querySelector('.session-device')!.text.trim());
  t.ok(devices.some((d) => d === 'Firefox on Windows (this device)'), 'this one is marked');
  t.ok(devices.some((d) => d === 'Safari on iOS'), 'the phone is there');
  t.same(rows.map((r) => r.querySelector('.session-address')!.text.trim()), ['127.0.0.1', '127.0.0.1']);
  t.equal(page.querySelectorAll('.account-session.current').length, 1);

  // Nothing on the page is a session's id (the cookie's secret).
  const ids = await h.db.selectFrom('sessions').select('id').where('user_id', '=', member.id).execute();
  for (const { id } of ids) t.notOk(page.toString().includes(id), 'no session id in the page');

  const other = rows.find((r) => !r.classList.contains('current'))!;
  const handle = other.getAttribute('data-handle')!;
  const res = await agent.submit(`/account/sessions/${handle}/end`);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  t.notOk(await signedIn(phone), 'the phone is signed out at once');
  t.ok(await signedIn(agent), 'this device is not');
  t.equal((await agent.page('/account')).querySelectorAll('.account-session').length, 1);
});

t.test('ending this device\'s own session signs it out', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const handle = (await agent.page('/account')).querySelector('.account-session.current')!.getAttribute('data-handle')!;
  const res = await agent.submit(`/account/sessions/${handle}/end`);
  t.equal(res.statusCode, 303);
  t.equal(agent.session(), undefined, 'the cookie is cleared');
  t.notOk(await signedIn(agent));
});

t.test("ending someone else's session is not found, and ends nothing", async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const someone = await h.make.member();
  const agent = await h.signIn(member);
  const theirs = await h.signIn(someone);
  const row = await h.db.selectFrom('sessions').select('handle').where('user_id', '=', someone.id).executeTakeFirstOrThrow();
  await agent.get('/account');
  t.equal((await agent.submit(`/account/sessions/${row.handle}/end`)).statusCode, 404);
  t.equal((await agent.submit('/account/sessions/not-a-handle/end')).statusCode, 404, 'nor is a malformed handle');
  t.ok(await signedIn(theirs), 'their session goes on');
});

t.test('signing out everywhere ends every session, this one too', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const { agent: phone } = await signInAs(h, member, SAFARI_IPHONE);
  t.ok(await signedIn(phone));
  await agent.get('/account');
  const res = await agent.submit('/account/sessions/end-all');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login');
  t.equal(agent.session(), undefined, 'the cookie is cleared');
  t.match((await agent.page('/login')).messages().join(' '), /signed out everywhere/);
  t.notOk(await signedIn(agent));
  t.notOk(await signedIn(phone));
  t.equal((await h.db.selectFrom('sessions').select('id').where('user_id', '=', member.id).execute()).length, 0);
});

t.test('last seen is written at most once per interval, and the stamp keeps the kept session', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const { agent } = await signInAs(h, member, FIREFOX_WINDOWS);
  const lastSeen = async () => (await h.db.selectFrom('sessions').select('last_seen_at').where('user_id', '=', member.id).executeTakeFirstOrThrow()).last_seen_at.getTime();
  const signedInAt = await lastSeen();
  for (let i = 0; i < 5; i++) await agent.get('/search');
  t.equal(await lastSeen(), signedInAt, 'pages within the interval write nothing');
  const threePages = async () => {
    const q = h.app.queryCount();
    for (let i = 0; i < 3; i++) await agent.get('/search');
    return h.app.queryCount() - q;
  };
  const usual = await threePages();

  h.clock.advance(6 * 60);
  await agent.get('/search');
  const stamped = await lastSeen();
  t.ok(stamped > signedInAt, 'the first page after the interval stamps it');
  t.ok(Math.abs(stamped - h.clock.now().getTime()) < 5000, 'with the time of that page');
  t.equal(await threePages(), usual, 'the stamp did not make the session be read again: the next pages cost what they did');
  t.equal(await lastSeen(), stamped);

  h.clock.advance(6 * 60);
  await agent.get('/search');
  t.ok((await lastSeen()) > stamped, 'and again after another interval');
});

t.test('a last-seen stamp is not announced on the change bus; any other change to a session is', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  await h.signIn(member);
  const client = new pg.Client({ connectionString: h.databaseUrl });
  await client.connect();
  t.teardown(() => client.end());
  const heard: string[] = [];
  client.on('notification', (n) => heard.push(n.payload ?? ''));
  await client.query('listen hearth_pages');
  const mine = () => heard.filter((p) => p === `user:${member.id}`).length;
  const settle = async () => client.query('select 1');

  await h.db.updateTable('sessions').set({ last_seen_at: new Date() }).where('user_id', '=', member.id).execute();
  await settle();
  t.equal(mine(), 0, 'a stamp is not announced');
  await h.db.updateTable('sessions').set({ expires_at: new Date(Date.now() + 3_600_000) }).where('user_id', '=', member.id).execute();
  await settle();
  t.equal(mine(), 1, 'a change to what the session is announced');
  await h.db.deleteFrom('sessions').where('user_id', '=', member.id).execute();
  await settle();
  t.equal(mine(), 2, 'and so is its end');
});

t.test('each sign-in is recorded with its address and time, registration too; the sweep keeps a bounded history', async (t) => {
  const h = await testApp(t);
  const guest = new Agent(h.app);
  await guest.get('/register');
  h.clock.advance(60);
  const reg = await guest.submit('/register', { username: 'newbie', email: 'newbie@example.test', password: 'a long enough password' });
  t.equal(reg.statusCode, 303);
  const id = (await h.db.selectFrom('users').select('id').where('username', '=', 'newbie').executeTakeFirstOrThrow()).id;
  const member: Member = { id, username: 'newbie', email: 'newbie@example.test', password: 'a long enough password', role: 'member', rank: 0 };
  const { agent } = await signInAs(h, member, SAFARI_IPHONE);

  const rows = (await agent.page('/account')).querySelectorAll('.sign-in');
  t.equal(rows.length, 2, 'the registration and the sign-in');
  t.same(rows.map((r) => r.querySelector('.sign-in-address')!.text.trim()), ['127.0.0.1', '127.0.0.1']);
  t.equal(rows[0].querySelector('.sign-in-device')!.text.trim(), 'Safari on iOS', 'newest first');
  t.match(rows[0].querySelector('time')!.text, /\d{4}, \d{2}:\d{2} UTC$/);
  t.ok(rows[0].querySelector('time')!.getAttribute('datetime'));

  // A sign-in past the kept history goes with the sweep; a recent one stays.
  await h.db.insertInto('sign_ins').values({ user_id: id, address: '192.0.2.1', at: new Date(h.clock.now().getTime() - (SIGN_INS_KEPT_DAYS + 1) * 86_400_000) }).execute();
  await scheduled.sign_ins_sweep.run(h.db, h.app.log, h.clock.now);
  const left = await h.db.selectFrom('sign_ins').select('address').where('user_id', '=', id).execute();
  t.equal(left.length, 2);
  t.notOk(left.some((r) => r.address === '192.0.2.1'));
});

t.test('devices are named from their User-Agent', async (t) => {
  const cases: [string | null, string][] = [
    [FIREFOX_WINDOWS, 'Firefox on Windows'],
    [SAFARI_IPHONE, 'Safari on iOS'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on macOS'],
    ['curl/8.5.0', 'An unknown browser'],
    [null, 'An unknown browser'],
  ];
  for (const [agent, expected] of cases) t.equal(deviceName(agent), expected, String(agent));
  // What a session keeps of its request: printable, and within its columns' bounds.
  t.same(signedInFrom({ headers: { 'user-agent': 'Bad\u0000Agent\n' }, ip: '192.0.2.7' }), { userAgent: 'BadAgent', address: '192.0.2.7' });
  t.same(signedInFrom({ headers: {}, ip: '::1' }), { userAgent: null, address: '::1' });
  t.equal(signedInFrom({ headers: { 'user-agent': 'x'.repeat(5000) }, ip: '::1' }).userAgent?.length, 1000);
});

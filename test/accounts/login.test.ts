import t from 'tap';
import { testApp } from '../helpers/app.ts';

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

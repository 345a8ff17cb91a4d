import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('a POST without a CSRF token is refused and writes nothing', async (t) => {
  const { make, db } = await testApp(t);
  const guest = make.guest();
  await guest.get('/register');
  const res = await guest.submit('/register', { username: 'forged', email: 'f@example.com', password: 'long enough pass' }, { csrf: false });
  t.equal(res.statusCode, 403);
  t.match(res.page().messages().join(' '), /expired/);
  t.equal(res.page().values().username, 'forged', 'the form comes back with the input kept');
  t.ok(res.page().values()._csrf !== undefined || res.page().csrf(), 'with a fresh token');
  t.equal((await db.selectFrom('users').select('id').execute()).length, 0);
});

t.test('a forged or foreign token is refused', async (t) => {
  const { make, signIn } = await testApp(t);
  const alice = await signIn(await make.member());
  const bob = await signIn(await make.member());
  await alice.get('/');
  await bob.get('/');
  let res = await alice.request('POST', '/logout', { form: { _csrf: 'made-up-token' } });
  t.equal(res.statusCode, 403);
  // Bob's valid token does not work with Alice's cookies.
  res = await alice.request('POST', '/logout', { form: { _csrf: bob.csrfToken } });
  t.equal(res.statusCode, 403);
  t.ok((await alice.page('/')).querySelector('.nav-user'), 'Alice is still signed in');
  // Alice's own token works, as a header too (the way htmx sends it).
  res = await alice.request('POST', '/logout', { headers: { 'x-csrf-token': alice.csrfToken, 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(res.statusCode, 303);
});

t.test('every page a form may post from carries the token in a meta tag', async (t) => {
  const { make, signIn } = await testApp(t);
  for (const path of ['/login', '/register', '/no-such-page', '/search']) {
    const page = await make.guest().page(path);
    t.ok(page.csrf().length > 20, `${path} has a csrf-token meta`);
  }
  // The pages kept for guests are the same bytes for all: no token, as nothing on them posts.
  const guestHome = await make.guest().page('/');
  t.equal(guestHome.csrf(), '', 'a guest\'s home page has none');
  t.equal(guestHome.querySelectorAll('form[method=post]').length, 0, 'and no form that posts');
  const member = await signIn(await make.member());
  t.ok((await member.page('/')).csrf().length > 20, 'a member\'s home page has one');
});

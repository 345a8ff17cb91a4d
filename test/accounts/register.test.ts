import t from 'tap';
import { testApp } from '../helpers/app.ts';

// Registration refuses a form sent back faster than a person fills it in (see
// test/accounts/honeypot.test.ts): after opening the form, each test lets a few seconds pass.
const FILLING_IN = 10;

t.test('a guest registers, is signed in and sees their name in the navigation', async (t) => {
  const { make, db, clock } = await testApp(t);
  const guest = make.guest();
  const form = await guest.page('/register');
  t.equal(form.h1(), 'Create an account');
  clock.advance(FILLING_IN);
  const res = await guest.submit('/register', { username: 'Ada_L', email: 'ada@example.com', password: 'analytical engine' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/');
  const home = await guest.page('/');
  t.equal(home.querySelector('.nav-user')?.text, 'Ada_L');
  t.match(home.messages().join(' '), /Welcome to the community, Ada_L/);

  const row = await db.selectFrom('users').selectAll().where('username', '=', 'Ada_L').executeTakeFirstOrThrow();
  t.equal(row.role, 'member');
  t.equal(row.rank, 0);
  t.match(row.password_hash, /^\$argon2id\$/, 'the password is stored as an argon2id hash');
  t.notMatch(row.password_hash, /analytical/);
});

const bad: [string, Record<string, string>, string, RegExp][] = [
  ['a short username', { username: 'ab' }, 'username', /3 to 20/],
  ['a long username', { username: 'a'.repeat(21) }, 'username', /3 to 20/],
  ['a username with spaces', { username: 'ada lovelace' }, 'username', /letters, digits/],
  ['a username with markup', { username: '<b>x</b>' }, 'username', /letters, digits/],
  ['a malformed email', { email: 'not-an-email' }, 'email', /valid email/],
  ['an email without a domain dot', { email: 'ada@localhost' }, 'email', /valid email/],
  ['a short password', { password: 'short' }, 'password', /at least 10/],
  ['an empty password', { password: '' }, 'password', /at least 10/],
];

for (const [what, change, field, message] of bad) {
  t.test(`registration with ${what} is refused beside the field, input kept`, async (t) => {
    const { make, db, clock } = await testApp(t);
    const guest = make.guest();
    await guest.get('/register');
    clock.advance(FILLING_IN);
    const input = { username: 'grace_h', email: 'grace@example.com', password: 'cobol forever', ...change };
    const res = await guest.submit('/register', input);
    t.equal(res.statusCode, 422);
    const page = res.page();
    t.match(page.fieldErrors()[field], message);
    t.same(Object.keys(page.fieldErrors()), [field], 'only the wrong field is marked');
    t.equal(page.querySelector(`#field-${field}`)?.getAttribute('aria-invalid'), 'true');
    const values = page.values();
    if (field !== 'username') t.equal(values.username, input.username, 'the username is kept');
    if (field !== 'email') t.equal(values.email, input.email, 'the email is kept');
    if (field === 'username') t.equal(values.username, input.username, 'even the wrong value is kept to correct');
    t.equal(values.password, '', 'the password is never sent back');
    const count = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    t.equal(count.n, 0, 'nothing was written');
  });
}

t.test('a taken username is refused whatever its case; a taken email too', async (t) => {
  const { make, clock } = await testApp(t);
  await make.member({ username: 'Linus' });
  const guest = make.guest();
  await guest.get('/register');
  clock.advance(FILLING_IN);
  let res = await guest.submit('/register', { username: 'linus', email: 'other@example.com', password: 'long enough pass' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().username, /taken/);
  t.equal(res.page().values().email, 'other@example.com');

  res = await guest.submit('/register', { username: 'someone', email: 'LINUS@example.test', password: 'long enough pass' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().email, /already exists/);
});

t.test('two registrations racing for one username: one wins, the other gets the form back', async (t) => {
  const { make, db, clock } = await testApp(t);
  const a = make.guest();
  const b = make.guest();
  await a.get('/register');
  await b.get('/register');
  clock.advance(FILLING_IN);
  const [ra, rb] = await Promise.all([
    a.submit('/register', { username: 'racer', email: 'a@example.com', password: 'long enough pass' }),
    b.submit('/register', { username: 'RACER', email: 'b@example.com', password: 'long enough pass' }),
  ]);
  t.same([ra.statusCode, rb.statusCode].sort(), [303, 422]);
  const rows = await db.selectFrom('users').select('username').execute();
  t.equal(rows.length, 1);
});

t.test('spaces around the username and email are forgiven', async (t) => {
  const { make, db, clock } = await testApp(t);
  const guest = make.guest();
  await guest.get('/register');
  clock.advance(FILLING_IN);
  const res = await guest.submit('/register', { username: '  spacey ', email: ' spacey@example.com ', password: 'long enough pass' });
  t.equal(res.statusCode, 303);
  const row = await db.selectFrom('users').select(['username', 'email']).executeTakeFirstOrThrow();
  t.same(row, { username: 'spacey', email: 'spacey@example.com' });
});

t.test('registration is rate limited per address', async (t) => {
  const { make, clock } = await testApp(t, { limits: { loginPerMinute: 100, registerPerHour: 2 } });
  const guest = make.guest();
  await guest.get('/register');
  clock.advance(FILLING_IN);
  for (let i = 0; i < 2; i++) {
    const res = await guest.submit('/register', { username: 'x', email: 'bad', password: 'x' });
    t.equal(res.statusCode, 422);
  }
  const res = await guest.submit('/register', { username: 'late_one', email: 'late@example.com', password: 'long enough pass' });
  t.equal(res.statusCode, 429);
  t.match(res.page().messages().join(' '), /Too many attempts/);
  t.equal(res.page().values().username, 'late_one', 'the input is kept');
});

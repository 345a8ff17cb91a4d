// The registration form's bot traps: a field people never see, and a signed stamp of when the
// form was served, refused when it comes back faster than a person fills it in.
import t from 'tap';
import { registrationRefusal, stampTime } from '../../server/moderation/posting/spam.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { testApp } from '../helpers/app.ts';

const input = { username: 'real_person', email: 'real@example.com', password: 'a long enough password' };

const users = (db: Awaited<ReturnType<typeof testApp>>['db']) => db.selectFrom('users').select('username').execute();

t.test('the rules: the honeypot, a missing or forged stamp, the fill time', async (t) => {
  const now = new Date('2030-01-01T12:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  t.equal(registrationRefusal({ servedAt: ago(10) }, now, 3), null);
  t.equal(registrationRefusal({ honeypot: '', servedAt: ago(3) }, now, 3), null, 'exactly the least time is enough');
  t.match(registrationRefusal({ honeypot: 'https://spam.example', servedAt: ago(10) }, now, 3), /field people never see/);
  t.match(registrationRefusal({ servedAt: null }, now, 3), /expired or was changed/);
  t.match(registrationRefusal({ servedAt: ago(1) }, now, 3), /faster than a person.*wait 2 seconds/);
  t.equal(registrationRefusal({ servedAt: ago(0) }, now, 0), null, '0 turns the fill time off');

  const unsign = (v: string) => (v.endsWith('.good') ? { valid: true, value: v.slice(0, -5) } : { valid: false, value: null });
  t.same(stampTime(`${ago(5).getTime()}.good`, unsign, now), ago(5));
  t.equal(stampTime(`${ago(5).getTime()}.forged`, unsign, now), null, 'a forged signature');
  t.equal(stampTime(undefined, unsign, now), null, 'no stamp');
  t.equal(stampTime('soon.good', unsign, now), null, 'not a time');
  t.equal(stampTime(`${now.getTime() + 60_000}.good`, unsign, now), null, 'from the future');
  t.equal(stampTime(`${ago(2 * 24 * 3600).getTime()}.good`, unsign, now), null, 'two days old');
});

t.test('the form carries a hidden trap field and a signed stamp', async (t) => {
  const { make } = await testApp(t);
  const page = await make.guest().page('/register');
  const trap = page.querySelector('input[name=website]');
  t.ok(trap, 'the trap field is there');
  t.equal(trap?.getAttribute('tabindex'), '-1', 'out of the tab order');
  t.equal(trap?.getAttribute('autocomplete'), 'off', 'never filled in by the browser');
  const wrapper = trap?.parentNode;
  t.equal(wrapper?.getAttribute('aria-hidden'), 'true', 'hidden from screen readers');
  t.match(wrapper?.getAttribute('class'), /visually-hidden/, 'and from the eye');
  t.match(page.querySelector('input[name=started]')?.getAttribute('value'), /^\d+\.\S+$/, 'a signed time');
});

t.test('a filled-in trap field refuses the registration, with the input kept', async (t) => {
  const { make, db, clock } = await testApp(t);
  const bot = make.guest();
  await bot.get('/register');
  clock.advance(10);
  const res = await bot.submit('/register', { ...input, website: 'https://spam.example' });
  t.equal(res.statusCode, 422);
  const page = res.page();
  t.match(page.messages().join(' '), /a field people never see was filled in/);
  t.equal(page.values().username, input.username, 'the input is kept');
  t.equal(page.values().password, '', 'but never the password');
  t.equal(page.values().website, '', 'nor the trap');
  t.same(await users(db), [], 'no account was created');

  // A person whose browser filled it by mistake sends the form again as it comes back.
  const again = await bot.submit('/register', { ...input });
  t.equal(again.statusCode, 303);
});

t.test('a form sent back faster than a person fills it in is refused until enough time has passed', async (t) => {
  const { make, db, clock } = await testApp(t);
  const guest = make.guest();
  await guest.get('/register');
  clock.advance(1);
  let res = await guest.submit('/register', input);
  t.equal(res.statusCode, 422);
  t.match(res.page().messages().join(' '), /faster than a person fills in this form.*wait 2 seconds/);
  t.equal(res.page().values().email, input.email, 'the input is kept');
  t.equal(res.page().values().password, '', 'the password aside');
  t.same(await users(db), []);
  // The form that comes back keeps its first stamp: the time counts from when it was opened.
  clock.advance(2);
  res = await guest.submit('/register', input);
  t.equal(res.statusCode, 303);
  t.same(await users(db), [{ username: input.username }]);
});

t.test('a missing or forged stamp is refused, and the form comes back with a good one', async (t) => {
  const { make, db, clock } = await testApp(t);
  const guest = make.guest();
  const form = await guest.page('/register');
  const stamp = form.querySelector('input[name=started]')!.getAttribute('value')!;
  clock.advance(60);

  let res = await guest.submit('/register', { ...input, started: '' });
  t.equal(res.statusCode, 422, 'no stamp');
  t.match(res.page().messages().join(' '), /expired or was changed/);
  const [, signature] = /^\d+\.(.+)$/.exec(stamp)!;
  const earlier = clock.now().getTime() - 3600_000;
  res = await guest.submit('/register', { ...input, started: `${earlier}.${signature}` });
  t.equal(res.statusCode, 422, 'a stamp made earlier with a borrowed signature');
  res = await guest.submit('/register', { ...input, started: `${earlier}` });
  t.equal(res.statusCode, 422, 'an unsigned stamp');
  t.same(await users(db), []);

  const fresh = res.page().querySelector('input[name=started]')!.getAttribute('value')!;
  t.not(fresh, `${earlier}`, 'the form comes back with a stamp of its own');
  clock.advance(5);
  t.equal((await guest.submit('/register', input)).statusCode, 303, 'which, once filled in, goes through');
});

t.test('a form a day old is served again; the least time is an admin setting', async (t) => {
  const { make, db, clock } = await testApp(t);
  const guest = make.guest();
  await guest.get('/register');
  clock.advance(25 * 3600);
  const res = await guest.submit('/register', input);
  t.equal(res.statusCode, 422);
  t.match(res.page().messages().join(' '), /expired/);

  const admin = await make.member({ role: 'admin' });
  await changeSetting(db, 'registration_min_seconds', 0, admin.id);
  const quick = make.guest();
  await quick.get('/register');
  t.equal((await quick.submit('/register', { ...input, username: 'quick_one', email: 'quick@example.com' })).statusCode, 303, 'with 0, no wait');
});

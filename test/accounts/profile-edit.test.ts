// Editing the profile on /account: the bio cooked and sanitised once like a post, the website a
// link that passes nothing on, refusals beside their fields with the input kept and nothing
// written, the profile page (a guest's kept copy included) following the edit, and the
// "Introduced" badge earned from it.
import t from 'tap';
import { testApp } from '../helpers/app.ts';
import { runDue } from '../../server/badges/grant.ts';
import { profileCompleted, profileErrors, cleanProfile, websiteError } from '../../server/profiles/rules.ts';

const form = 'form[action="/account/profile"]';

t.test('a member saves a profile; the profile page shows it, the bio cooked and its script gone', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const member = await make.member({ username: 'ada' });
  const agent = await signIn(member);
  const guest = make.guest();
  const before = await guest.page('/u/ada');
  t.equal(before.h1(), 'ada');
  t.equal((await guest.page('/u/ada')).querySelector('.bio'), null, 'the kept copy, with no bio yet');

  const account = await agent.page('/account');
  t.ok(account.querySelector(form), 'the profile form is on the account page');
  t.ok(account.querySelector('form[action="/account/avatar"][enctype="multipart/form-data"] input[type=file][name=avatar]'), 'and the avatar form');
  const sections = account.querySelectorAll('.account-section').map((s) => s.id);
  t.same(sections.slice(0, 2), ['profile', 'avatar'], 'at the top of the page');

  const res = await agent.submit('/account/profile', {
    display_name: '  Ada Lovelace ',
    bio: 'I write **notes** on engines.<script>alert(1)</script> <img src=x onerror="alert(2)">',
    location: 'London',
    website: 'https://ada.example.org/notes',
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  const row = await db.selectFrom('users').select(['display_name', 'bio', 'bio_cooked', 'location', 'website']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.equal(row.display_name, 'Ada Lovelace', 'trimmed');
  t.match(row.bio, /<script>/, 'the source is kept as written');
  t.notMatch(row.bio_cooked, /<script|<img/i, 'the cooked bio holds no script tag, nor an element to hang one on (the text is shown as text)');
  t.match(row.bio_cooked, /<strong>notes<\/strong>/);

  const profile = await guest.page('/u/ada');
  t.equal(profile.querySelector('h1 .display-name')?.text, 'Ada Lovelace', "the guest's kept copy followed the edit");
  t.equal(profile.querySelector('h1 .username')?.text, '@ada', 'the username stays beside it');
  t.equal(profile.querySelector('.bio strong')?.text, 'notes');
  t.equal(profile.querySelector('.bio script'), null);
  t.equal(profile.querySelectorAll('[onerror]').length, 0);
  t.equal(profile.querySelector('.profile-location')?.text, 'London');
  const link = profile.querySelector('a.website');
  t.equal(link?.getAttribute('href'), 'https://ada.example.org/notes');
  t.equal(link?.getAttribute('rel'), 'nofollow ugc noopener');

  const again = await agent.page('/account');
  t.same(
    { ...again.values(form), _csrf: '' },
    { _csrf: '', display_name: 'Ada Lovelace', bio: row.bio, location: 'London', website: 'https://ada.example.org/notes' },
    'the form shows the saved profile',
  );
});

t.test('a refused profile keeps the input, says why beside each field, and writes nothing', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const member = await make.member();
  const agent = await signIn(member);
  await agent.page('/account');
  const sent = { display_name: 'x'.repeat(51), bio: 'A line about me.', location: 'Paris', website: 'javascript:alert(1)' };
  const res = await agent.submit('/account/profile', sent);
  t.equal(res.statusCode, 422);
  const page = res.page();
  t.same(Object.keys(page.fieldErrors()).sort(), ['display_name', 'website']);
  t.match(page.fieldErrors().website, /https:\/\//);
  t.same({ ...page.values(form), _csrf: '' }, { _csrf: '', ...sent }, 'the input is kept');
  const row = await db.selectFrom('users').select(['display_name', 'bio', 'location', 'website']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.same(row, { display_name: '', bio: '', location: '', website: '' }, 'nothing was written');

  const long = await agent.submit('/account/profile', { bio: 'b'.repeat(2001) });
  t.equal(long.statusCode, 422);
  t.match(long.page().fieldErrors().bio, /At most 2000/);

  // A guest is sent to sign in; nothing else happens.
  const guest = make.guest();
  await guest.page('/login');
  const refused = await guest.submit('/account/profile', { bio: 'hello' });
  t.ok(refused.statusCode >= 400 && refused.statusCode < 500);
});

t.test('the profile rules, as a table', async (t) => {
  const cases: [string, string | null][] = [
    ['', null],
    ['https://example.com', null],
    ['http://example.com/a?b=c', null],
    ['example.com', 'full address'],
    ['ftp://example.com', 'full address'],
    ['javascript:alert(1)', 'full address'],
    ['https://localhost', 'site name'],
    ['https://user:pw@example.com', 'user name'],
  ];
  for (const [website, expected] of cases) {
    const error = websiteError(website);
    if (expected === null) t.equal(error, null, website || '(empty)');
    else t.match(error, expected, website);
  }
  t.same(profileErrors(cleanProfile({ display_name: 'a\u202eb' })), { display_name: 'A display name may not hold control characters.' });
  t.equal(profileCompleted({ bio: '  ' }), false, 'an empty bio is not a completed profile');
  t.equal(profileCompleted({ bio: 'Hello there.' }), true);
});

t.test('a bio written on the account page earns the "Introduced" badge', async (t) => {
  const { app, make, signIn, db } = await testApp(t);
  const member = await make.member();
  const agent = await signIn(member);
  await agent.page('/account');
  await agent.submit('/account/profile', { display_name: 'Only a name' });
  await runDue(db, app.log, app.now);
  const held = () => db.selectFrom('user_badges').select('badge').where('user_id', '=', member.id).where('badge', '=', 'completed-profile').execute();
  t.same(await held(), [], 'a name alone is not an introduction');
  await agent.submit('/account/profile', { display_name: 'Only a name', bio: 'I fix bikes and answer questions about gears.' });
  const due = await db.selectFrom('badge_due').select('user_id').where('user_id', '=', member.id).execute();
  t.equal(due.length, 1, 'the bio changing marks the member due for the badge rules');
  await runDue(db, app.log, app.now);
  t.equal((await held()).length, 1, 'the badge is earned');
});

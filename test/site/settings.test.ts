// The site's own settings on /admin/settings: the name, description, logo, staff mark,
// guidelines, who may register and mail, each validated beside its field with its default,
// saved and logged with before and after; the name in every page's layout, the guidelines at
// /guidelines, and registration refused when it is closed.
import t from 'tap';
import { readSettingsForm, settingsForm } from '../../server/moderation/settings/routes.ts';
import { defaultSettings, loadSettings } from '../../server/moderation/settings/queries.ts';
import { registrationModeRefusal } from '../../server/accounts/registration.ts';
import { testApp } from '../helpers/app.ts';
import { payloads, unsafeMarkup } from '../helpers/xss.ts';

/** The settings form's fields as shown, with the choice's selected option (the agent adds the token). */
function shown(page: { values(form?: string): Record<string, string>; querySelector(s: string): { getAttribute(n: string): string | undefined } | null }) {
  const { _csrf, ...values } = page.values('form.settings-form');
  const selected = page.querySelector('#field-registration_mode option[selected]');
  return { ...values, registration_mode: selected?.getAttribute('value') ?? 'open' };
}

t.test('text settings are validated field by field, and one not sent is left as it is', async (t) => {
  const form = settingsForm(defaultSettings);
  const cases: [string, Record<string, string>, Record<string, RegExp>][] = [
    ['an empty name', { site_name: '   ' }, { site_name: /cannot be empty/ }],
    ['a name too long', { site_name: 'x'.repeat(61) }, { site_name: /At most 60 characters \(this is 61\)/ }],
    ['a name on two lines', { site_name: 'Two\nlines' }, { site_name: /One line/ }],
    ['a logo that is no address', { logo_url: 'logo.png' }, { logo_url: /http:\/\/ or https:\/\// }],
    ['a logo by script', { logo_url: 'javascript:alert(1)' }, { logo_url: /http:\/\/ or https:\/\// }],
    ['a logo from a file', { logo_url: 'file:///etc/passwd' }, { logo_url: /http:\/\/ or https:\/\// }],
    ['a mail address without a domain', { mail_from: 'team@' }, { mail_from: /mail address/ }],
    ['a reply address with a space', { mail_reply_to: 'a b@example.com' }, { mail_reply_to: /mail address/ }],
    ['empty guidelines', { guidelines: '\n\n' }, { guidelines: /cannot be empty/ }],
    ['a mode that is none', { registration_mode: 'sometimes' }, { registration_mode: /Anyone, Invite only, No one/ }],
    ['an empty staff mark', { brand_label: '' }, { brand_label: /cannot be empty/ }],
  ];
  for (const [what, change, expected] of cases) {
    const { errors } = readSettingsForm({ ...form, ...change }, defaultSettings);
    t.same(Object.keys(errors).sort(), Object.keys(expected).sort(), what);
    for (const [field, message] of Object.entries(expected)) t.match(errors[field], message, what);
  }
  const { settings, errors } = readSettingsForm(
    { ...form, site_name: '  Acme Community ', logo_url: 'https://cdn.example.com/logo.png', mail_from: 'team@example.com', mail_reply_to: '', guidelines: 'Be kind.\r\n\r\nBe brief.\n\n' },
    defaultSettings,
  );
  t.same(errors, {});
  t.equal(settings.site_name, 'Acme Community', 'a line is kept without the spaces around it');
  t.equal(settings.logo_url, 'https://cdn.example.com/logo.png');
  t.equal(settings.mail_reply_to, '', 'an address may be left empty');
  t.equal(settings.guidelines, 'Be kind.\n\nBe brief.', 'markdown keeps its lines, with plain line ends');
  const { site_name: _name, guidelines: _text, registration_mode: _mode, ...numbersOnly } = form;
  const partial = readSettingsForm(numbersOnly, { ...defaultSettings, site_name: 'Kept', registration_mode: 'closed' });
  t.same(partial.errors, {});
  t.equal(partial.settings.site_name, 'Kept', 'a text field not sent is left as it is');
  t.equal(partial.settings.registration_mode, 'closed', 'and a choice');
});

t.test('registrationModeRefusal: open lets anyone in, invite only those with an invite, closed no one new', async (t) => {
  t.equal(registrationModeRefusal('open', false), null);
  t.match(registrationModeRefusal('invite', false), /by invitation only/);
  t.equal(registrationModeRefusal('invite', true), null);
  t.match(registrationModeRefusal('closed', false), /closed/);
  t.equal(registrationModeRefusal('closed', true), null, 'an invite still lets its invitee in');
});

t.test('an admin changes the site settings: each field says its default, saved, logged with before and after, shown at once', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const a = await signIn(admin);
  const page = await a.page('/admin/settings');
  t.equal(page.h1(), 'Site settings');
  for (const [field, text] of [
    ['site_name', /In every page's title and header\. Default: Hearth\./],
    ['logo_url', /Default: empty\./],
    ['registration_mode', /Default: Anyone\./],
    ['guidelines', /Default: the guidelines a new site starts with\./],
    ['hide_threshold', /Default: 8\./],
    ['posts_per_hour', /Default: 10 · 60 · 90 · 120 · 180\./],
  ] as const) t.match(page.querySelector(`#hint-${field}`)?.text, text, `${field}: its explanation and default beside it`);
  t.equal(page.querySelector('textarea#field-guidelines')?.text, defaultSettings.guidelines, 'the guidelines in a text box');
  t.equal(page.querySelectorAll('#field-registration_mode option').length, 3);

  // Wrong: 422, the messages beside the fields, the input kept, nothing written.
  const values = shown(page);
  const bad = await a.submit('/admin/settings', { ...values, site_name: '', logo_url: 'ftp://example.com/x.png', mail_from: 'nobody' });
  t.equal(bad.statusCode, 422);
  t.same(Object.keys(bad.page().fieldErrors()).sort(), ['logo_url', 'mail_from', 'site_name']);
  t.equal(bad.page().querySelector('#field-logo_url')?.getAttribute('value'), 'ftp://example.com/x.png', 'the input is kept');
  t.equal(bad.page().querySelector('#field-logo_url')?.getAttribute('aria-invalid'), 'true');
  t.equal((await db.selectFrom('settings').select('key').execute()).length, 0, 'nothing was saved');

  await a.get('/admin/settings');
  const res = await a.submit('/admin/settings', {
    ...values, site_name: 'Acme Community', mail_from: 'community@acme.example', guidelines: '# Our house rules\n\nBe **kind**.', registration_mode: 'closed',
  });
  t.equal(res.statusCode, 303);
  t.match((await a.page('/admin/settings')).messages().join(' '), /Settings saved: 4 changed/);
  const settings = await loadSettings(db);
  t.equal(settings.site_name, 'Acme Community');
  t.equal(settings.registration_mode, 'closed');
  const log = await db.selectFrom('staff_log').select(['actor_id', 'action', 'target_label', 'before', 'after']).orderBy('id').execute();
  t.same(
    log.map((l) => [l.target_label, l.before, l.after]),
    [
      ['site_name', 'Hearth', 'Acme Community'],
      ['guidelines', defaultSettings.guidelines, '# Our house rules\n\nBe **kind**.'],
      ['registration_mode', 'open', 'closed'],
      ['mail_from', '', 'community@acme.example'],
    ],
    'each change logged with its value before and after',
  );
  t.ok(log.every((l) => l.actor_id === admin.id && l.action === 'setting.change'));

  // The name is in every page's title and header at once, the cached guests' pages included.
  const guest = make.guest();
  const home = await guest.page('/');
  t.match(home.querySelector('title')?.text, /Acme Community$/);
  t.equal(home.querySelector('.brand')?.text.trim(), 'Acme Community');
  t.notOk(home.querySelector('a[href="/register"]'), 'no Join link while registration is closed');
  const guidelines = await guest.page('/guidelines');
  t.equal(guidelines.querySelector('.guidelines h1:not(:first-child), .guidelines .post-body h1')?.text, 'Our house rules', 'the guidelines as written, cooked');
  t.equal(guidelines.querySelector('.guidelines strong')?.text, 'kind');

  // A change after the pages were kept shows at once too.
  await a.get('/admin/settings');
  await a.submit('/admin/settings', { ...shown(await a.page('/admin/settings')), site_name: 'Acme Forum', logo_url: 'https://cdn.example.com/logo.png' });
  const again = await guest.page('/');
  t.equal(again.querySelector('.brand')?.text.trim(), 'Acme Forum', 'a kept page is not served after the name changed');
  t.equal(again.querySelector('.brand img')?.getAttribute('src'), 'https://cdn.example.com/logo.png', 'with the logo beside it');
  t.match((await guest.page('/guidelines')).querySelector('title')?.text, /Acme Forum$/);
});

t.test('the guidelines page shows cooked markdown, never script from hostile markdown', async (t) => {
  const { make, signIn } = await testApp(t);
  const guest = make.guest();
  const before = await guest.page('/guidelines');
  t.equal(before.querySelector('.guidelines h2')?.text, 'Be kind, and assume good intent', 'a new site has its starting guidelines');
  const a = await signIn(await make.member({ role: 'admin' }));
  const values = shown(await a.page('/admin/settings'));
  const hostile = `Welcome.\n\n${payloads.join('\n\n')}`;
  t.equal((await a.submit('/admin/settings', { ...values, guidelines: hostile })).statusCode, 303);
  for (const who of [guest, a]) {
    const res = await who.get('/guidelines');
    t.equal(res.statusCode, 200);
    const body = res.page().querySelector('.guidelines')!.toString();
    t.same(unsafeMarkup(body), [], 'no script, handler or dangerous address on the page');
    t.match(res.page().querySelector('.guidelines p')?.text, /Welcome\./);
  }
});

t.test('closed registration: the form says so, and /register refuses', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const a = await signIn(await make.member({ role: 'admin' }));
  const guest = make.guest();
  const open = await guest.page('/register');
  t.ok(open.querySelector('form[action="/register"]'), 'open: the form');
  const values = shown(await a.page('/admin/settings'));
  await a.submit('/admin/settings', { ...values, registration_mode: 'closed' });

  const page = await guest.get('/register');
  t.equal(page.statusCode, 200);
  t.match(page.page().querySelector('.registration-refused')?.text, /Registration is closed/, 'the page says registration is closed');
  t.notOk(page.page().querySelector('form[action="/register"]'), 'and shows no form');
  clock.advance(60);
  const res = await guest.submit('/register', { username: 'late_comer', email: 'late@example.test', password: 'a long enough password' });
  t.equal(res.statusCode, 403);
  t.match(res.page().text, /Registration is closed/);
  t.equal((await db.selectFrom('users').select('id').where('username', '=', 'late_comer').execute()).length, 0, 'no account made');

  await a.get('/admin/settings');
  await a.submit('/admin/settings', { ...shown(await a.page('/admin/settings')), registration_mode: 'invite' });
  t.match((await guest.page('/register')).querySelector('.registration-refused')?.text, /by invitation only/);
  clock.advance(60);
  const invited = await guest.submit('/register', { username: 'no_invite', email: 'no@example.test', password: 'a long enough password' });
  t.equal(invited.statusCode, 403, 'invite only: refused without an invite');
  t.match(invited.page().text, /by invitation only/);
});

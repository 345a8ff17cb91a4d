// /admin/settings: every moderation setting, validated beside its field, each change logged;
// admins only.
import t from 'tap';
import { readSettingsForm, settingFields, settingsForm } from '../../server/moderation/settings/routes.ts';
import { defaultSettings, loadSettings, type SettingKey } from '../../server/moderation/settings/queries.ts';
import { testApp } from '../helpers/app.ts';

const keys = Object.keys(defaultSettings) as SettingKey[];

/** The settings form's fields as shown (the agent adds the CSRF token itself). */
function shown(page: { values(form?: string): Record<string, string> }) {
  const { _csrf, ...values } = page.values('form.settings-form');
  return values;
}

t.test('every setting has a field on the page, and the form reads back what it shows', async (t) => {
  // The kinds of file that may be uploaded are checkboxes beside the numbers (not a settingField).
  const onPage = [...settingFields.flatMap((s) => Object.keys(s.fields)), 'upload_kinds'];
  t.same([...onPage].sort(), [...keys].sort(), 'no setting is missing from the page, none is there twice');
  const { settings, errors } = readSettingsForm(settingsForm(defaultSettings), defaultSettings);
  t.same(errors, {});
  t.same(settings, defaultSettings);
});

t.test('the settings form is validated field by field', async (t) => {
  const form = settingsForm(defaultSettings);
  const cases: [string, Record<string, string>, Record<string, RegExp>][] = [
    ['not a number', { approval_posts: 'two' }, { approval_posts: /whole number from 0 to 20/ }],
    ['a fraction', { hide_threshold: '7.5' }, { hide_threshold: /whole number from 1 to 100/ }],
    ['below the range', { hide_threshold: '0' }, { hide_threshold: /from 1 to 100/ }],
    ['above the range', { duplicate_window_minutes: '100000' }, { duplicate_window_minutes: /from 0 to 1440/ }],
    ['a negative number', { newcomer_links: '-1' }, { newcomer_links: /whole number/ }],
    ['empty', { registration_min_seconds: '' }, { registration_min_seconds: /whole number/ }],
    ['one rank wrong', { post_interval_seconds_3: 'x' }, { post_interval_seconds: /for each rank/ }],
    ['no posts an hour', { posts_per_hour_0: '0' }, { posts_per_hour: /from 1 to 1000 for each rank/ }],
    ['two fields', { approval_posts: '99', posts_per_hour_4: '' }, { approval_posts: /0 to 20/, posts_per_hour: /each rank/ }],
  ];
  for (const [what, change, expected] of cases) {
    const { errors } = readSettingsForm({ ...form, ...change }, defaultSettings);
    // A value by rank is marked as a whole, and each wrong rank's input as well.
    const fields = Object.keys(errors).filter((f) => !/_\d$/.test(f));
    t.same(fields.sort(), Object.keys(expected).sort(), what);
    for (const f of Object.keys(change).filter((f) => /_\d$/.test(f))) t.ok(errors[f], `${what}: ${f} is marked`);
    for (const [field, message] of Object.entries(expected)) t.match(errors[field], message, what);
  }
  const { settings } = readSettingsForm({ ...form, approval_posts: ' 0 ', posts_per_hour_0: '5' }, defaultSettings);
  t.equal(settings.approval_posts, 0, 'spaces around a number are forgiven; 0 is a value');
  t.same(settings.posts_per_hour, [5, 60, 90, 120, 180]);
});

t.test('an admin changes settings: saved, logged with before and after, in force at once', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await make.member({ role: 'admin', username: 'the_admin' });
  const a = await signIn(admin);
  const page = await a.page('/admin/settings');
  t.equal(page.h1(), 'Site settings');
  const values = shown(page);
  t.equal(values.approval_posts, '2');
  t.equal(values.post_interval_seconds_0, '30');
  t.equal(values.posts_per_hour_4, '180');
  t.equal(page.querySelector('label[for=field-post_interval_seconds_0]')?.text, '0 · Newcomer', 'each rank is labelled');

  const res = await a.submit('/admin/settings', { ...values, approval_posts: '0', post_interval_seconds_0: '60', post_interval_seconds_1: '10' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/settings');
  const after = await a.page('/admin/settings');
  t.match(after.messages().join(' '), /Settings saved: 2 changed/);
  t.equal(shown(after).post_interval_seconds_1, '10');
  const settings = await loadSettings(db);
  t.equal(settings.approval_posts, 0);
  t.same(settings.post_interval_seconds, [60, 10, 5, 5, 5]);

  const log = await db.selectFrom('staff_log').select(['actor_id', 'action', 'target_type', 'target_label', 'before', 'after']).orderBy('id').execute();
  t.same(log, [
    { actor_id: admin.id, action: 'setting.change', target_type: 'setting', target_label: 'approval_posts', before: 2, after: 0 },
    { actor_id: admin.id, action: 'setting.change', target_type: 'setting', target_label: 'post_interval_seconds', before: [30, 5, 5, 5, 5], after: [60, 10, 5, 5, 5] },
  ]);

  await a.get('/admin/settings');
  const again = await a.submit('/admin/settings', shown(after));
  t.equal(again.statusCode, 303);
  t.match((await a.page('/admin/settings')).messages().join(' '), /Nothing changed/);
  t.equal((await db.selectFrom('staff_log').select('id').execute()).length, 2, 'an unchanged form logs nothing');

  // In force at once: a newcomer is no longer held.
  const thread = await make.thread();
  const n = await signIn(await make.member({ rank: 0 }));
  await n.get(`/t/${thread.id}/${thread.slug}`);
  t.equal((await n.submit(`/t/${thread.id}/replies`, { body: 'Not held any more' })).statusCode, 303);
  t.equal((await db.selectFrom('posts').select('id').where('pending_at', 'is not', null).execute()).length, 0);
});

t.test('bad input: 422, the message beside each field, the input kept, nothing written', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const a = await signIn(await make.member({ role: 'admin' }));
  const values = shown(await a.page('/admin/settings'));
  const res = await a.submit('/admin/settings', { ...values, approval_posts: '1', hide_threshold: 'lots', posts_per_hour_2: '-3' });
  t.equal(res.statusCode, 422);
  const page = res.page();
  const errors = page.fieldErrors();
  t.same(Object.keys(errors).sort(), ['hide_threshold', 'posts_per_hour']);
  t.match(errors.hide_threshold, /whole number from 1 to 100/);
  t.match(errors.posts_per_hour, /for each rank/);
  t.equal(page.querySelector('#field-hide_threshold')?.getAttribute('aria-invalid'), 'true');
  t.equal(page.querySelector('#field-posts_per_hour_2')?.getAttribute('aria-invalid'), 'true', 'the wrong rank is marked');
  t.equal(page.querySelector('#field-posts_per_hour_1')?.getAttribute('aria-invalid'), undefined, 'the right ones are not');
  const kept = shown(page);
  t.equal(kept.hide_threshold, 'lots', 'the wrong value is kept to correct');
  t.equal(kept.posts_per_hour_2, '-3');
  t.equal(kept.approval_posts, '1', 'and the right ones too');
  t.equal((await db.selectFrom('settings').select('key').execute()).length, 0, 'nothing was saved');
  t.equal((await db.selectFrom('staff_log').select('id').execute()).length, 0, 'nothing was logged');
});

t.test('the settings are for admins: others are refused, guests asked to sign in, forged requests refused', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  const values = shown(await admin.page('/admin/settings'));
  for (const role of ['member', 'moderator', 'staff'] as const) {
    const who = await signIn(await make.member({ role }));
    t.equal((await who.get('/admin/settings')).statusCode, 403, `a ${role} may not see them`);
    await who.get('/');
    const res = await who.submit('/admin/settings', { ...values, approval_posts: '0' });
    t.equal(res.statusCode, 403, `nor change them (${role})`);
    t.notOk(res.page().querySelector('#field-hide_threshold'), 'and the refusal shows none of them');
  }
  const guest = make.guest();
  const away = await guest.get('/admin/settings');
  t.equal(away.statusCode, 303);
  t.equal(away.headers.location, '/login?next=%2Fadmin%2Fsettings');
  t.equal((await guest.submit('/admin/settings', { ...values, approval_posts: '0' })).statusCode, 401);

  const forged = await admin.submit('/admin/settings', { ...values, approval_posts: '0' }, { csrf: false });
  t.equal(forged.statusCode, 403, 'without its CSRF token the form is refused');
  t.equal((await db.selectFrom('settings').select('key').execute()).length, 0, 'nothing was saved');

  t.ok((await admin.page('/admin')).querySelector('a[href="/admin/settings"]'), 'the dashboard links to the settings');
  t.ok((await admin.page('/admin')).querySelector('a[href="/admin/watched-words"]'), 'and to the watched words');
});

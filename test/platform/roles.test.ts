import t from 'tap';
import { openPostItem } from '../../server/moderation/items.ts';
import { addWatchedWord } from '../../server/moderation/posting/watched-words.ts';
import { can, hasRole, type Viewer } from '../../server/permissions.ts';
import { testApp } from '../helpers/app.ts';

const as = (role: Viewer['role']): Viewer => ({ id: 1, username: 'x', role, rank: 0 });

t.test('each role includes the ones before it', async (t) => {
  const table: [Viewer | null, Viewer['role'], boolean][] = [
    [null, 'member', false],
    [as('member'), 'member', true],
    [as('member'), 'moderator', false],
    [as('moderator'), 'member', true],
    [as('moderator'), 'staff', false],
    [as('staff'), 'moderator', true],
    [as('staff'), 'admin', false],
    [as('admin'), 'staff', true],
    [as('admin'), 'admin', true],
  ];
  for (const [viewer, role, expected] of table) t.equal(hasRole(viewer, role), expected, `${viewer?.role ?? 'guest'} ⊇ ${role}`);
  t.notOk(can(as('staff'), 'view admin'));
  t.ok(can(as('admin'), 'view admin'));
  t.ok(can(as('moderator'), 'moderate'));
  t.notOk(can(as('member'), 'moderate'));
});

t.test('the admin page: guests sign in first, members and staff are refused, admins get it', async (t) => {
  const { make, signIn } = await testApp(t);
  const guestRes = await make.guest().get('/admin');
  t.equal(guestRes.statusCode, 303);
  t.equal(guestRes.headers.location, '/login?next=%2Fadmin');

  for (const role of ['member', 'moderator', 'staff'] as const) {
    const agent = await signIn(await make.member({ role }));
    const res = await agent.get('/admin');
    t.equal(res.statusCode, 403, `${role} is refused`);
    t.equal(res.page().h1(), 'Not allowed');
    t.equal(res.page().querySelector('a[href="/admin"]'), null, `${role} sees no admin link`);
  }
  const admin = await signIn(await make.member({ role: 'admin' }));
  const res = await admin.get('/admin');
  t.equal(res.statusCode, 200);
  t.equal(res.page().h1(), 'Admin');
  t.ok(res.page().querySelector('nav a[href="/admin"]'), 'admins see the admin link');
});

t.test('an admin changes a role; a member cannot', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const target = await make.member();
  const member = await signIn(await make.member());
  await member.get('/');
  let res = await member.submit(`/admin/users/${target.id}/role`, { role: 'admin' });
  t.equal(res.statusCode, 403);
  t.equal((await db.selectFrom('users').select('role').where('id', '=', target.id).executeTakeFirstOrThrow()).role, 'member');

  const admin = await signIn(await make.member({ role: 'admin' }));
  await admin.get('/admin');
  res = await admin.submit(`/admin/users/${target.id}/role`, { role: 'moderator' });
  t.equal(res.statusCode, 303);
  t.equal((await db.selectFrom('users').select('role').where('id', '=', target.id).executeTakeFirstOrThrow()).role, 'moderator');
  res = await admin.submit(`/admin/users/${target.id}/role`, { role: 'emperor' });
  t.equal(res.statusCode, 422);
});

t.test('the only admin cannot demote themselves', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const me = await make.member({ role: 'admin' });
  const admin = await signIn(me);
  await admin.get('/admin');
  const res = await admin.submit(`/admin/users/${me.id}/role`, { role: 'member' });
  t.equal(res.statusCode, 422);
  t.match(res.page().messages().join(' '), /only administrator/);
  t.equal((await db.selectFrom('users').select('role').where('id', '=', me.id).executeTakeFirstOrThrow()).role, 'admin');
});

t.test('an admin creates a category; bad input comes back beside its field; members cannot', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  await admin.get('/admin');
  let res = await admin.submit('/admin/categories', { name: 'Product Help', slug: '', description: 'Ask us', color: '#059669' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/c/product-help', 'the address is made from the name');
  t.equal((await admin.page('/c/product-help')).h1(), 'Product Help');

  await admin.get('/admin');
  res = await admin.submit('/admin/categories', { name: 'Again', slug: 'product-help', description: '', color: 'red' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().color, /colour/);
  t.equal(res.page().values().name, 'Again', 'input kept');
  res = await admin.submit('/admin/categories', { name: 'Again', slug: 'product-help', description: '', color: '#111111' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().slug, /already uses/);
  res = await admin.submit('/admin/categories', { name: 'Bad slug', slug: 'Has Spaces', description: '', color: '#111111' });
  t.match(res.page().fieldErrors().slug, /lowercase/);

  const member = await signIn(await make.member());
  await member.get('/');
  res = await member.submit('/admin/categories', { name: 'Sneaky', slug: 'sneaky', description: '', color: '#111111' });
  t.equal(res.statusCode, 403);
  t.equal((await db.selectFrom('categories').select('slug').execute()).length, 1);
  // The refused form's page shows the member none of the dashboard (members, their emails).
  t.notOk(res.body.includes('@example.test'), 'no email on the refusal');
});

t.test('admin and moderator forms refuse those without the right before reading the body: 403, a guest 401', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const target = await make.member();
  const thread = await make.thread();
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const item = await db.transaction().execute((tx) => openPostItem(tx, { kind: 'approval', postId: post.id, detail: 'To look at' }));
  await addWatchedWord(db, { word: 'forbidden', action: 'flag', by: admin.id });
  const long = (n: number) => 'x'.repeat(n);
  // [the form, fields its schema refuses, the least role that may send it]
  const forms: [string, Record<string, string>, 'moderator' | 'admin'][] = [
    ['/admin/categories', { name: long(300), read_rank: 'nine' }, 'admin'],
    [`/admin/users/${target.id}/role`, { role: long(50) }, 'admin'],
    ['/admin/users/abc/role', { role: 'admin' }, 'admin'],
    ['/admin/settings', { hide_threshold: long(50) }, 'admin'],
    ['/admin/watched-words', { action: long(50) }, 'admin'],
    [`/admin/watched-words/abc/delete`, {}, 'admin'],
    [`/mod/items/${item.id}`, { action: long(50) }, 'moderator'],
    ['/mod/items/abc', { action: 'dismiss' }, 'moderator'],
    [`/mod/items/${item.id}/claim`, { shown: 'abc' }, 'moderator'],
    [`/mod/items/${item.id}/unclaim`, { back: long(400) }, 'moderator'],
  ];
  const member = await signIn(await make.member());
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const staff = await signIn(await make.member({ role: 'staff' }));
  for (const [action, fields, least] of forms) {
    const refused = least === 'admin' ? [member, moderator, staff] : [member];
    for (const agent of refused) {
      await agent.get('/');
      const res = await agent.submit(action, fields);
      t.equal(res.statusCode, 403, `${action}: refused before its fields are checked`);
      t.equal(res.page().h1() === 'Admin' && res.body.includes(target.email), false, 'nothing of the page shown');
    }
    const guest = make.guest();
    const res = await guest.submit(action, fields);
    t.equal(res.statusCode, 401, `${action}: a guest is asked to sign in`);
  }
  // The moderators' pages too: a member's bad cursor is refused, not explained.
  t.equal((await member.get('/mod?after=abc')).statusCode, 403);
  t.equal((await member.get(`/mod/log?before=${long(50)}`)).statusCode, 403);
  t.equal((await make.guest().get('/mod?after=abc')).headers.location, '/login?next=%2Fmod%3Fafter%3Dabc');
  // Those with the right still hear what was wrong with the form.
  const adminBrowser = await signIn(admin);
  await adminBrowser.get('/admin');
  t.equal((await adminBrowser.submit('/admin/categories', { name: long(300), read_rank: 'nine' })).statusCode, 422);
  t.equal((await db.selectFrom('categories').select('id').execute()).length, 1, 'no category made');
  t.equal((await db.selectFrom('watched_words').select('id').execute()).length, 1, 'no word added or removed');
  t.equal((await db.selectFrom('users').select('role').where('id', '=', target.id).executeTakeFirstOrThrow()).role, 'member');
});

t.test("moderators' and staff's forms on threads and members refuse others before reading the body", async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const target = await make.member();
  const long = (n: number) => 'x'.repeat(n);
  // [the form, fields its schema refuses, who may not send it]
  const forms: [string, Record<string, string>, ('member' | 'moderator')[]][] = [
    [`/t/${thread.id}/close`, { after: long(50) }, ['member']],
    [`/t/${thread.id}/reopen`, { reason: long(2000) }, ['member']],
    [`/t/${thread.id}/unlist`, { reason: long(2000) }, ['member']],
    [`/t/${thread.id}/relist`, { reason: long(2000) }, ['member']],
    [`/t/${thread.id}/move`, {}, ['member']],
    [`/t/${thread.id}/merge`, {}, ['member']],
    [`/t/${thread.id}/split`, {}, ['member']],
    [`/t/${thread.id}/slow-mode`, {}, ['member']],
    ['/t/abc/close', { after: '1' }, ['member']],
    [`/t/${thread.id}/pin`, { scope: 'everywhere' }, ['member', 'moderator']],
    ['/t/abc/unpin', {}, ['member', 'moderator']],
    ['/t/abc/lock', {}, ['member']],
    ['/t/abc/unlock', {}, ['member']],
    [`/u/${target.username}/sanction`, { kind: long(30) }, ['member']],
    ['/sanctions/abc/lift', {}, ['member']],
  ];
  const browsers = { member: await signIn(await make.member()), moderator: await signIn(await make.member({ role: 'moderator' })) };
  for (const [action, fields, refused] of forms) {
    for (const who of refused) {
      await browsers[who].get('/');
      const res = await browsers[who].submit(action, fields);
      t.equal(res.statusCode, 403, `${who} ${action}: refused before its fields are checked`);
    }
    t.equal((await make.guest().submit(action, fields)).statusCode, 401, `${action}: a guest is asked to sign in`);
  }
});

import t from 'tap';
import { sql } from 'kysely';
import { logAction } from '../../server/moderation/log/write.ts';
import { changeLines, readLogQuery, targetHref } from '../../server/moderation/log/rules.ts';
import { createReply } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

/** The log's lines as the database keeps them, oldest first. */
function lines(db: Awaited<ReturnType<typeof testApp>>['db']) {
  return db
    .selectFrom('staff_log')
    .select(['id', 'actor_id', 'action', 'target_type', 'target_id', 'target_label', 'before', 'after', 'reason'])
    .orderBy('id')
    .execute();
}

t.test('the database itself refuses to change or remove a line of the staff log', async (t) => {
  const { db, make } = await testApp(t);
  const moderator = await make.member({ role: 'moderator' });
  await logAction(db, { actorId: moderator.id, action: 'post.hide', target: { type: 'post', id: 1, label: 'A thread' }, reason: 'spam' });

  await t.rejects(sql`update staff_log set reason = 'nothing to see'`.execute(db), /append-only: UPDATE/, 'UPDATE is refused');
  await t.rejects(sql`delete from staff_log`.execute(db), /append-only: DELETE/, 'DELETE is refused');
  const error = await sql`update staff_log set reason = ''`.execute(db).catch((e: { code?: string }) => e);
  t.equal((error as { code?: string }).code, '42501', 'as a privilege error');
  const [line] = await lines(db);
  t.equal(line.reason, 'spam', 'the line is as it was written');
});

t.test('/mod/log is for moderators and above: members are refused, guests asked to sign in', async (t) => {
  const { make, signIn } = await testApp(t);
  const guest = await make.guest().get('/mod/log');
  t.equal(guest.statusCode, 303);
  t.equal(guest.headers.location, '/login?next=%2Fmod%2Flog');

  const member = await signIn(await make.member());
  t.equal((await member.get('/mod/log')).statusCode, 403, 'a member is refused');
  const staffMember = await signIn(await make.member({ role: 'moderator' }));
  const res = await staffMember.get('/mod/log');
  t.equal(res.statusCode, 200);
  t.equal(res.page().h1(), 'Staff log');
  t.match(res.page().messages().join(' '), /Nothing has been logged yet/);
});

t.test('the existing staff actions each write one line with actor, target, before and after', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const author = await make.member({ username: 'author_one' });
  const thread = await make.thread({ by: author, title: 'Release plans for spring', body: 'The first post.' });
  const reply = await createReply(db, { threadId: thread.id, userId: author.id, body: 'An answer that needs a fix.' });
  const staff = await make.member({ role: 'staff', username: 'staff_one' });
  const moderator = await make.member({ role: 'moderator', username: 'mod_one' });
  const admin = await make.member({ role: 'admin', username: 'admin_one' });
  const threadPath = `/t/${thread.id}/${thread.slug}`;

  const s = await signIn(staff);
  await s.page(threadPath);
  t.equal((await s.submit(`/t/${thread.id}/pin`, { scope: 'global', until: '' })).statusCode, 303);
  t.equal((await s.submit(`/t/${thread.id}/pin`, { scope: 'global', until: '' })).statusCode, 303, 'the same pin again');
  t.equal((await s.submit(`/t/${thread.id}/unpin`)).statusCode, 303);

  const m = await signIn(moderator);
  await m.page(threadPath);
  t.equal((await m.submit(`/t/${thread.id}/lock`)).statusCode, 303);
  t.equal((await m.submit(`/t/${thread.id}/unlock`)).statusCode, 303);
  await m.page(`/p/${reply.id}/edit`);
  t.equal((await m.submit(`/p/${reply.id}/edit`, { body: 'An answer, fixed by a moderator.' })).statusCode, 303);
  await m.page(`/p/${reply.id}/delete`);
  t.equal((await m.submit(`/p/${reply.id}/delete`)).statusCode, 303);

  // A member's own edits and deletions are not staff actions, nor is a moderator's own post.
  const own = await createReply(db, { threadId: thread.id, userId: moderator.id, body: 'My own note.' });
  await m.page(`/p/${own.id}/edit`);
  t.equal((await m.submit(`/p/${own.id}/edit`, { body: 'My own note, reworded.' })).statusCode, 303);
  const mine = await createReply(db, { threadId: thread.id, userId: author.id, body: 'I will take this back.' });
  const a = await signIn(author);
  await a.page(`/p/${mine.id}/delete`);
  t.equal((await a.submit(`/p/${mine.id}/delete`)).statusCode, 303);

  const ad = await signIn(admin);
  await ad.page('/admin');
  t.equal((await ad.submit(`/admin/users/${author.id}/role`, { role: 'moderator' })).statusCode, 303);
  t.equal((await ad.submit('/admin/categories', { name: 'Product news', slug: 'product-news', color: '#2563eb' })).statusCode, 303);
  const category = await db.selectFrom('categories').select('id').where('slug', '=', 'product-news').executeTakeFirstOrThrow();

  const got = await lines(db);
  t.same(
    got.map((l) => l.action),
    ['thread.pin', 'thread.unpin', 'thread.lock', 'thread.unlock', 'post.edit', 'post.delete', 'user.role', 'category.create'],
    'one line per action, none for a repeated pin or a member acting on their own posts',
  );
  const by = (action: string) => got.find((l) => l.action === action)!;
  t.match(by('thread.pin'), {
    actor_id: staff.id, target_type: 'thread', target_id: thread.id, target_label: 'Release plans for spring',
    before: { pinned: null, until: null }, after: { pinned: 'global', until: null },
  });
  t.match(by('thread.unpin'), { actor_id: staff.id, target_id: thread.id, before: { pinned: 'global' }, after: { pinned: null } });
  t.match(by('thread.lock'), { actor_id: moderator.id, target_type: 'thread', target_id: thread.id, before: { locked: false }, after: { locked: true } });
  t.match(by('thread.unlock'), { actor_id: moderator.id, before: { locked: true }, after: { locked: false } });
  t.match(by('post.edit'), {
    actor_id: moderator.id, target_type: 'post', target_id: reply.id,
    before: { body: 'An answer that needs a fix.' }, after: { body: 'An answer, fixed by a moderator.' },
  });
  t.match(by('post.delete'), { actor_id: moderator.id, target_type: 'post', target_id: reply.id, before: { state: 'public' }, after: { state: 'deleted' } });
  t.match(by('user.role'), { actor_id: admin.id, target_type: 'user', target_id: author.id, target_label: 'author_one', before: { role: 'member' }, after: { role: 'moderator' } });
  t.match(by('category.create'), {
    actor_id: admin.id, target_type: 'category', target_id: category.id, target_label: 'Product news',
    before: null, after: { name: 'Product news', slug: 'product-news' },
  });

  // The page shows each line: who, what, the target linked, before → after.
  const page = await m.page('/mod/log');
  const rows = page.querySelectorAll('tr.log-line');
  t.equal(rows.length, 8);
  t.equal(rows[0].getAttribute('data-action'), 'category.create', 'newest first');
  const edit = rows.find((r) => r.getAttribute('data-action') === 'post.edit')!;
  t.equal(edit.querySelector('.log-target a')?.getAttribute('href'), `/p/${reply.id}`);
  t.equal(edit.querySelector('td a')?.text, 'mod_one');
  t.equal(edit.querySelector('.log-before')?.text, 'An answer that needs a fix.');
  t.equal(edit.querySelector('.log-after')?.text, 'An answer, fixed by a moderator.');
  const role = rows.find((r) => r.getAttribute('data-action') === 'user.role')!;
  t.equal(role.querySelector('.log-target a')?.getAttribute('href'), '/u/author_one');
  t.match(role.querySelector('.log-change')?.text, /role:\s*member\s*→\s*moderator/);
  const created = rows.find((r) => r.getAttribute('data-action') === 'category.create')!;
  t.equal(created.querySelector('.log-target a')?.getAttribute('href'), '/c/product-news');
});

t.test('the log filters by actor, action (exact or prefix) and target, and pages by keyset', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const one = await make.member({ role: 'moderator', username: 'mod_alpha' });
  const two = await make.member({ role: 'admin', username: 'mod_beta' });
  await logAction(db, { actorId: one.id, action: 'post.hide', target: { type: 'post', id: 12, label: 'Twelve' }, reason: 'rude' });
  await logAction(db, { actorId: one.id, action: 'post.unhide', target: { type: 'post', id: 12, label: 'Twelve' } });
  await logAction(db, { actorId: two.id, action: 'post.hide', target: { type: 'post', id: 13, label: 'Thirteen' } });
  await logAction(db, { actorId: two.id, action: 'thread.lock', target: { type: 'thread', id: 5, label: 'Five' } });
  await logAction(db, { actorId: two.id, action: 'posting.limit', target: { type: 'setting', label: 'posting' } });

  const m = await signIn(one);
  const actions = async (url: string) => (await m.page(url)).querySelectorAll('tr.log-line').map((r) => r.getAttribute('data-action'));
  t.same(await actions('/mod/log?actor=mod_alpha'), ['post.unhide', 'post.hide'], 'by actor');
  t.same(await actions('/mod/log?actor=MOD_BETA'), ['posting.limit', 'thread.lock', 'post.hide'], 'any case');
  t.same(await actions('/mod/log?action=post.hide'), ['post.hide', 'post.hide'], 'an exact action');
  t.same(await actions('/mod/log?action=post.'), ['post.hide', 'post.unhide', 'post.hide'], 'a prefix: post. is not posting.');
  t.same(await actions('/mod/log?action=post'), ['post.hide', 'post.unhide', 'post.hide'], 'a bare kind is a prefix too');
  t.same(await actions('/mod/log?target=thread'), ['thread.lock'], 'a target kind');
  t.same(await actions('/mod/log?target=post:12'), ['post.unhide', 'post.hide'], 'one target');
  t.same(await actions('/mod/log?actor=mod_beta&action=post.'), ['post.hide'], 'filters combine');
  const page = await m.page('/mod/log?target=post:12');
  t.equal(page.values('form.log-filters').target, 'post:12', 'the filter stays in the form');
  t.equal(page.querySelector('.log-history')?.getAttribute('href'), '/mod/log?target=post%3A12');
  t.equal(page.querySelector('tr.log-line .log-reason')?.text.trim(), '', 'a line without a reason');
  t.equal(page.querySelectorAll('tr.log-line .log-reason')[1].text.trim(), 'rude');

  for (const [url, field] of [
    ['/mod/log?actor=nobody_here', 'actor'],
    ['/mod/log?target=planet', 'target'],
    ['/mod/log?target=post:x', 'target'],
    ['/mod/log?action=drop%20table', 'action'],
  ] as const) {
    const res = await m.get(url);
    t.equal(res.statusCode, 422, url);
    t.ok(res.page().fieldErrors()[field], `${url}: an error beside ${field}`);
    t.equal(res.page().querySelectorAll('tr.log-line').length, 0);
  }
  t.equal((await m.get('/mod/log?before=abc')).statusCode, 422);

  // Keyset paging: 50 a page, the next page from the last id shown, filters kept.
  for (let i = 0; i < 55; i++) await logAction(db, { actorId: one.id, action: 'post.hide', target: { type: 'post', id: 100 + i } });
  const first = await m.page('/mod/log?action=post.hide');
  const firstIds = first.querySelectorAll('tr.log-line').map((r) => Number(r.getAttribute('data-log-id')));
  t.equal(firstIds.length, 50);
  const next = first.querySelector('a[rel=next]')?.getAttribute('href');
  t.equal(next, `/mod/log?action=post.hide&before=${firstIds.at(-1)}`);
  const second = await m.page(next!);
  const secondIds = second.querySelectorAll('tr.log-line').map((r) => Number(r.getAttribute('data-log-id')));
  t.equal(secondIds.length, 57 - 50, 'the rest, the two older lines included');
  t.ok(Math.max(...secondIds) < Math.min(...firstIds), 'older than the first page');
  t.equal(second.querySelector('a[rel=next]'), null, 'no page after the last');
});

t.test('the log shows member text inert', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const moderator = await make.member({ role: 'moderator' });
  const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  await logAction(db, {
    actorId: moderator.id, action: 'post.edit', target: { type: 'post', id: 7, label: `Title ${evil}` },
    before: { body: `Before ${evil}` }, after: { body: `After ${evil}\nsecond line` }, reason: `Because ${evil}`,
  });
  const res = await (await signIn(moderator)).get('/mod/log');
  const page = res.page();
  t.equal(page.querySelectorAll('main img, main script').length, 0, 'no element made from the text');
  t.match(page.querySelector('.log-target')?.text, 'Title <img src=x');
  t.match(page.querySelector('pre.log-after')?.text, `After ${evil}\nsecond line`, 'long text in full, folded');
  t.match(page.querySelector('.log-reason')?.text, `Because ${evil}`);
  t.notMatch(res.body, /<script>alert/);
});

t.test('the rules of the log page', async (t) => {
  t.same(readLogQuery({ actor: ' @Mod_One ', action: 'Post.Hide', target: 'post:12' }).filters, {
    actor: 'Mod_One', action: { value: 'post.hide', prefix: false }, target: { type: 'post', id: 12 },
  });
  t.same(readLogQuery({ action: 'thread.' }).filters, { action: { value: 'thread.', prefix: true } });
  t.same(readLogQuery({ action: 'thread' }).filters, { action: { value: 'thread.', prefix: true } });
  t.same(readLogQuery({ target: 'queue_item' }).filters, { target: { type: 'queue_item' } });
  t.ok(readLogQuery({ target: 'post:' }).errors.target);
  t.ok(readLogQuery({ action: 'post.%' }).errors.action, 'no wildcards of our own');
  t.ok(readLogQuery({ before: '-1' }).errors.before);

  const cases: [unknown, unknown, ReturnType<typeof changeLines>][] = [
    [null, null, []],
    [{ locked: false }, { locked: true }, [{ field: 'locked', before: 'false', after: 'true', long: false }]],
    [{ role: 'member', at: 1 }, { role: 'admin', at: 1 }, [{ field: 'role', before: 'member', after: 'admin', long: false }]],
    [null, { name: 'News' }, [{ field: 'name', before: '—', after: 'News', long: false }]],
    [{ pinned: 'global' }, { pinned: null }, [{ field: 'pinned', before: 'global', after: 'none', long: false }]],
    [3, 5, [{ field: '', before: '3', after: '5', long: false }]],
    [{ body: 'a\nb' }, { body: 'c' }, [{ field: 'body', before: 'a\nb', after: 'c', long: true }]],
    [{ tags: ['a'] }, { tags: ['a', 'b'] }, [{ field: 'tags', before: '["a"]', after: '["a","b"]', long: false }]],
  ];
  for (const [before, after, expected] of cases) t.same(changeLines(before, after), expected, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);

  const line = { target_id: 4, target_username: 'someone', target_slug: 'news' };
  t.equal(targetHref({ ...line, target_type: 'post' }), '/p/4');
  t.equal(targetHref({ ...line, target_type: 'thread' }), '/t/4');
  t.equal(targetHref({ ...line, target_type: 'user' }), '/u/someone');
  t.equal(targetHref({ ...line, target_type: 'category' }), '/c/news');
  t.equal(targetHref({ ...line, target_type: 'setting' }), null);
  t.equal(targetHref({ ...line, target_type: 'user', target_username: null }), null, 'a member no longer there');
});

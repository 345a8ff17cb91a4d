// The admin categories page: editing, reordering, who may read and post, archiving; each change
// logged, and the member counts kept right when who may read changes.
import t from 'tap';
import { createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

const edit = (c: { slug: string }, over: Record<string, string> = {}) => ({
  name: 'A category', slug: c.slug, description: '', color: '#2563eb', read_role: '', read_rank: '0', post_role: 'member', post_rank: '0', position: '0', ...over,
});

t.test('an admin lists every category with its access, and edits one, logged', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  const category = await make.category({ name: 'Help' });
  const listed = await admin.page('/admin/categories');
  t.equal(listed.h1(), 'Categories');
  t.match(listed.text, 'Help');
  t.match(listed.text, 'Everyone, guests included');

  const page = await admin.page(`/admin/categories/${category.id}`);
  t.equal(page.h1(), 'Edit Help');
  t.equal(page.values().name, 'Help');
  const saved = await admin.submit(`/admin/categories/${category.id}`, edit(category, { name: 'Product help', description: 'Ask here', post_rank: '2' }));
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/admin/categories');
  const row = await db.selectFrom('categories').selectAll().where('id', '=', category.id).executeTakeFirstOrThrow();
  t.equal(row.name, 'Product help');
  t.equal(row.description, 'Ask here');
  t.equal(row.post_rank, 2);
  const log = await db.selectFrom('staff_log').selectAll().where('action', '=', 'category.edit').executeTakeFirstOrThrow();
  t.same(log.before, { name: 'Help', description: '', color: '#6b7280', post_rank: 0 });
  t.same(log.after, { name: 'Product help', description: 'Ask here', color: '#2563eb', post_rank: 2 });

  // A rejected edit keeps what was typed, with the error beside its field.
  const other = await make.category({ name: 'Other' });
  const taken = await admin.submit(`/admin/categories/${category.id}`, edit(category, { name: 'Product help', slug: other.slug }));
  t.equal(taken.statusCode, 422);
  t.match(taken.page().fieldErrors().slug, 'Another category');
  t.equal(taken.page().values().slug, other.slug);
  const bad = await admin.submit(`/admin/categories/${category.id}`, edit(category, { name: '', color: 'red' }));
  t.ok(bad.statusCode >= 400 && bad.statusCode < 500);
  t.equal((await admin.submit('/admin/categories/999999', edit(category))).statusCode, 404, 'no such category');
  t.equal((await admin.get('/admin/categories/999999')).statusCode, 404);
});

t.test('only admins reach the categories page and its actions', async (t) => {
  const { make, signIn } = await testApp(t);
  const category = await make.category();
  for (const role of ['member', 'moderator', 'staff'] as const) {
    const agent = await signIn(await make.member({ role }));
    t.equal((await agent.get('/admin/categories')).statusCode, 403, `${role}: the page`);
    t.equal((await agent.submit(`/admin/categories/${category.id}/archive`)).statusCode, 403, `${role}: archive`);
  }
  t.equal((await make.guest().get('/admin/categories')).statusCode, 303);
});

t.test('categories move up and down the lists, logged', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  const a = await make.category({ name: 'Alpha' });
  const b = await make.category({ name: 'Beta' });
  const c = await make.category({ name: 'Gamma' });
  await admin.get('/admin/categories');
  const order = async () => (await db.selectFrom('categories').select('id').orderBy('position').orderBy('id').execute()).map((r) => r.id);
  const before = await order();
  t.same(before.slice(-3), [a.id, b.id, c.id]);
  t.equal((await admin.submit(`/admin/categories/${c.id}/move`, { direction: 'up' })).statusCode, 303);
  t.same((await order()).slice(-3), [a.id, c.id, b.id]);
  await admin.submit(`/admin/categories/${c.id}/move`, { direction: 'up' });
  t.same((await order()).slice(-3), [c.id, a.id, b.id]);
  // The home page lists them in that order.
  const home = (await admin.page('/')).text;
  t.ok(home.indexOf('Gamma') < home.indexOf('Alpha') && home.indexOf('Alpha') < home.indexOf('Beta'), 'home follows the order');
  const moved = await db.selectFrom('staff_log').select(['target_id']).where('action', '=', 'category.move').execute();
  t.same(moved.map((m) => m.target_id), [c.id, c.id]);
  // The last one does not move further down.
  const last = (await order()).at(-1)!;
  const res = await admin.submit(`/admin/categories/${last}/move`, { direction: 'down' });
  t.equal(res.statusCode, 303);
  t.equal((await order()).at(-1), last);
  t.equal((await admin.submit('/admin/categories/999999/move', { direction: 'up' })).statusCode, 404);
});

t.test('who may read and post, set by role and rank, and the counts follow who may read', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  const author = await make.member();
  const category = await make.category({ name: 'Lounge' });
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: 'A thread in the lounge', body: 'Hello there, everyone.' });
  const counts = () => db.selectFrom('users').select(['thread_count', 'post_count']).where('id', '=', author.id).executeTakeFirstOrThrow();
  t.same(await counts(), { thread_count: 1, post_count: 1 });
  await admin.get('/admin/categories');

  // Staff only: out of the author's public counts, and closed to members and guests.
  await admin.submit(`/admin/categories/${category.id}`, edit(category, { read_role: 'staff' }));
  t.same(await counts(), { thread_count: 0, post_count: 0 });
  const member = await signIn(await make.member());
  t.equal((await member.get(`/c/${category.slug}`)).statusCode, 403);
  t.equal((await member.get(`/t/${thread.id}`)).statusCode, 403);
  t.equal((await make.guest().get(`/c/${category.slug}`)).statusCode, 401);
  const staff = await signIn(await make.member({ role: 'staff' }));
  t.equal((await staff.get(`/c/${category.slug}`)).statusCode, 200);

  // Open to rank 2 and above to read, rank 3 to post.
  await admin.submit(`/admin/categories/${category.id}`, edit(category, { read_rank: '2', post_rank: '3' }));
  t.same(await counts(), { thread_count: 0, post_count: 0 }, 'still not open to all');
  t.equal((await member.get(`/c/${category.slug}`)).statusCode, 403, 'rank 1 may not read');
  const contributor = await signIn(await make.member({ rank: 2 }));
  t.equal((await contributor.get(`/c/${category.slug}`)).statusCode, 200);
  t.equal((await contributor.get(`/c/${category.slug}/new`)).statusCode, 403, 'rank 2 may not start threads');
  const advocate = await signIn(await make.member({ rank: 3 }));
  t.equal((await advocate.get(`/c/${category.slug}/new`)).statusCode, 200);

  // Open to all again: counted again.
  await admin.submit(`/admin/categories/${category.id}`, edit(category));
  t.same(await counts(), { thread_count: 1, post_count: 1 });
  t.equal((await make.guest().get(`/c/${category.slug}`)).statusCode, 200);
});

t.test('an archived category is read-only and out of the lists, until unarchived', async (t) => {
  const { db, make, signIn, clock } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  const author = await make.member();
  const category = await make.category({ name: 'Old releases' });
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Notes on version one', body: 'What changed in version one.' });
  const guest = make.guest();
  t.match((await guest.page('/')).text, 'Notes on version one', 'listed before');
  await admin.get('/admin/categories');

  t.equal((await admin.submit(`/admin/categories/${category.id}/archive`)).statusCode, 303);
  const log = await db.selectFrom('staff_log').select(['action', 'target_id']).where('action', 'like', 'category.%').execute();
  t.same(log, [{ action: 'category.archive', target_id: category.id }]);

  // Out of the home page (its latest threads and its categories), for guests and members; the
  // page cache was told.
  const home = (await guest.page('/')).text;
  t.notMatch(home, 'Notes on version one');
  t.notMatch(home, 'Old releases');
  const member = await signIn(author);
  t.notMatch((await member.page('/')).text, 'Notes on version one');
  // Still read at its address and on its own page, which says it is archived.
  t.equal((await guest.get(`/t/${thread.id}/${thread.slug}`)).statusCode, 200);
  const own = await guest.page(`/c/${category.slug}`);
  t.match(own.text, 'archived');
  t.match(own.text, 'Notes on version one');
  // No new threads, no replies, whoever asks.
  t.notMatch((await member.page(`/c/${category.slug}`)).text, 'New thread');
  t.equal((await member.get(`/c/${category.slug}/new`)).statusCode, 409);
  await member.get(`/t/${thread.id}/${thread.slug}`);
  const reply = await member.submit(`/t/${thread.id}/replies`, { body: 'A reply to an archived thread.' });
  t.equal(reply.statusCode, 409);
  t.match(reply.page().messages().join(' '), 'archived');
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get(`/t/${thread.id}/${thread.slug}`);
  t.equal((await moderator.submit(`/t/${thread.id}/replies`, { body: 'A moderator replies to it.' })).statusCode, 409);

  t.equal((await admin.submit(`/admin/categories/${category.id}/unarchive`)).statusCode, 303);
  t.match((await guest.page('/')).text, 'Notes on version one');
  clock.advance(120);
  await member.get(`/t/${thread.id}/${thread.slug}`);
  const replied = await member.submit(`/t/${thread.id}/replies`, { body: 'A reply now it is open again.' });
  t.equal(replied.statusCode, 303);
});

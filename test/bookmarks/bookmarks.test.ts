import t from 'tap';
import { testApp } from '../helpers/app.ts';
import { hidePost } from '../../server/moderation/holds.ts';

const firstPost = (db: Awaited<ReturnType<typeof testApp>>['db'], threadId: number) =>
  db.selectFrom('posts').select('id').where('thread_id', '=', threadId).orderBy('post_number').executeTakeFirstOrThrow();

t.test('a member bookmarks and unbookmarks a post, with JavaScript and without; the page shows it to them alone', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread({ replies: 2 });
  const post = await firstPost(db, thread.id);
  const url = `/t/${thread.id}/${thread.slug}`;
  const reader = await signIn(await make.member());
  const other = await signIn(await make.member());
  // Both members read the page first: it is rendered once and shared from then on.
  let page = await reader.page(url);
  t.equal(page.querySelector(`#bookmark-${post.id} .bookmark-button`)?.getAttribute('aria-pressed'), 'false');
  await other.page(url);

  // Without JavaScript: 303 back to the post.
  let res = await reader.submit(`/p/${post.id}/bookmark`);
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, new RegExp(`#post-${post.id}$`));
  page = await reader.page(url);
  t.equal(page.querySelector(`#bookmark-${post.id} .bookmark-button`)?.getAttribute('aria-pressed'), 'true', 'the cached page shows it right away');
  t.equal(page.querySelector(`#bookmark-${post.id} .bookmark-button`)?.text.trim(), 'Bookmarked');
  const seen = await other.page(url);
  t.equal(seen.querySelector(`#bookmark-${post.id} .bookmark-button`)?.getAttribute('aria-pressed'), 'false', 'another member does not see it');
  t.equal((await make.guest().page(url)).querySelector(`#bookmark-${post.id}`), null, 'a guest gets no control');

  // With htmx: the control alone.
  res = await reader.submit(`/p/${post.id}/bookmark`, {}, { htmx: true });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<html/);
  t.equal(res.page().querySelector(`#bookmark-${post.id} .bookmark-button`)?.getAttribute('aria-pressed'), 'false', 'the fragment shows it removed');
  page = await reader.page(url);
  t.equal(page.querySelector(`#bookmark-${post.id} .bookmark-button`)?.getAttribute('aria-pressed'), 'false');
  res = await reader.submit(`/p/${post.id}/bookmark`, {}, { htmx: true });
  t.equal(res.page().querySelector('.bookmark-button')?.getAttribute('aria-pressed'), 'true');
  const rows = await db.selectFrom('bookmarks').select('user_id').where('post_id', '=', post.id).execute();
  t.equal(rows.length, 1);

  const guest = make.guest();
  await guest.get('/');
  t.equal((await guest.submit(`/p/${post.id}/bookmark`)).statusCode, 401);
  t.equal((await reader.submit('/p/999999/bookmark')).statusCode, 404);
});

t.test('a post the member may not see takes no bookmark', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread({ replies: 1 });
  const reply = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 2).executeTakeFirstOrThrow();
  await hidePost(db, reply.id, 'moderator');
  const reader = await signIn(await make.member());
  await reader.get('/');
  t.equal((await reader.submit(`/p/${reply.id}/bookmark`)).statusCode, 404);
  t.equal((await db.selectFrom('bookmarks').select('id').execute()).length, 0);
});

t.test('a reminder: read in the member\'s time zone; a bad zone or a time past is refused with the form kept', async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const thread = await make.thread();
  const post = await firstPost(db, thread.id);
  const reader = await signIn(await make.member());
  await reader.get(`/t/${thread.id}/${thread.slug}`);
  const year = app.now().getUTCFullYear() + 1;

  let res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: `${year}-06-01T09:30`, timezone: 'Europe/Paris' }, { htmx: true });
  t.equal(res.statusCode, 200);
  let row = await db.selectFrom('bookmarks').select('remind_at').where('post_id', '=', post.id).executeTakeFirstOrThrow();
  t.equal(row.remind_at?.toISOString(), `${year}-06-01T07:30:00.000Z`, 'Paris in summer is two hours ahead of UTC');
  t.match(res.page().querySelector('.bookmark-reminder-at')?.text, /07:30 UTC/);

  // A reminder on a post already bookmarked keeps the bookmark and changes the time; without JavaScript the zone is UTC.
  res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: `${year}-01-10T08:00`, timezone: '' });
  t.equal(res.statusCode, 303);
  row = await db.selectFrom('bookmarks').select('remind_at').where('post_id', '=', post.id).executeTakeFirstOrThrow();
  t.equal(row.remind_at?.toISOString(), `${year}-01-10T08:00:00.000Z`);

  res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: `${year}-01-10T08:00`, timezone: 'Mars/Olympus_Mons' });
  t.equal(res.statusCode, 422);
  t.match(res.page().querySelector('.flash-error')?.text, /time zone/);
  t.equal(res.page().querySelector('input[name=remind_at]')?.getAttribute('value'), `${year}-01-10T08:00`, 'the time is kept');

  res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: '2001-01-01T08:00', timezone: 'UTC' });
  t.equal(res.statusCode, 422);
  t.match(res.page().querySelector('.field-error')?.text, /passed/);
  res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: 'tomorrow', timezone: 'UTC' });
  t.equal(res.statusCode, 422);
  row = await db.selectFrom('bookmarks').select('remind_at').where('post_id', '=', post.id).executeTakeFirstOrThrow();
  t.equal(row.remind_at?.toISOString(), `${year}-01-10T08:00:00.000Z`, 'nothing changed by the refusals');
});

t.test('/bookmarks: newest first, keyset paged, without posts hidden or deleted since; guests sign in first', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const member = await make.member();
  const reader = await signIn(member);
  const thread = await make.thread({ title: 'Twenty five posts to keep', replies: 24 });
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', thread.id).orderBy('post_number').execute();
  // Saved one second apart, oldest first: the newest is the last post.
  const base = Date.now() - 3_600_000;
  await db.insertInto('bookmarks').values(posts.map((p, i) => ({ user_id: member.id, post_id: p.id, created_at: new Date(base + i * 1000) }))).execute();
  // Two with the same moment: the id breaks the tie, and neither is lost between pages.
  await db.updateTable('bookmarks').set({ created_at: new Date(base + 5000) }).where('post_id', '=', posts[4].id).execute();

  let page = await reader.page('/bookmarks');
  let items = page.querySelectorAll('.bookmark-item');
  t.equal(items.length, 20);
  t.equal(items[0].getAttribute('data-post-id'), String(posts[24].id), 'newest first');
  t.equal(items[0].querySelector('.bookmark-title a')?.getAttribute('href'), `/p/${posts[24].id}`);
  t.equal(items[0].querySelector('.bookmark-title a')?.text, 'Twenty five posts to keep');
  t.equal(items[0].querySelector('.bookmark-excerpt')?.text, 'Reply 24');
  t.ok(items[0].querySelector('time'), 'when it was saved');
  t.equal(items[0].querySelector('.bookmark-button')?.text.trim(), 'Remove');
  const next = page.querySelector('a[rel=next]')?.getAttribute('href');
  t.match(next, /^\/bookmarks\?before=/);
  page = await reader.page(next!);
  const rest = page.querySelectorAll('.bookmark-item').map((i) => Number(i.getAttribute('data-post-id')));
  const first = items.map((i) => Number(i.getAttribute('data-post-id')));
  t.equal(rest.length, 5);
  t.same([...first, ...rest].sort((a, b) => a - b), posts.map((p) => p.id), 'every bookmark once, over two pages');
  t.equal(page.querySelector('a[rel=next]'), null);

  // A post hidden since, and one deleted, drop out.
  await hidePost(db, posts[24].id, 'moderator');
  await db.updateTable('posts').set({ deleted_at: new Date() }).where('id', '=', posts[23].id).execute();
  page = await reader.page('/bookmarks');
  items = page.querySelectorAll('.bookmark-item');
  t.equal(items[0].getAttribute('data-post-id'), String(posts[22].id));
  t.notOk(items.some((i) => [posts[24].id, posts[23].id].includes(Number(i.getAttribute('data-post-id')))));

  // Removing from the list, without JavaScript, comes back to the list.
  const res = await reader.submit(`/p/${posts[22].id}/bookmark`, { from: 'bookmarks' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/bookmarks');
  page = await reader.page('/bookmarks');
  t.equal(page.querySelector('.bookmark-item')?.getAttribute('data-post-id'), String(posts[21].id));
  t.ok(page.querySelector('a.nav-bookmarks[href="/bookmarks"]'), 'the navigation links here');

  // An unlisted thread stays (it opens at its address); a category closed to the member does not.
  await db.updateTable('threads').set({ unlisted_at: new Date() }).where('id', '=', thread.id).execute();
  t.equal((await reader.page('/bookmarks')).querySelectorAll('.bookmark-item').length, 20);
  const { category_id } = await db.selectFrom('threads').select('category_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
  await db.updateTable('categories').set({ read_rank: 3 }).where('id', '=', category_id).execute();
  t.equal((await reader.page('/bookmarks')).querySelectorAll('.bookmark-item').length, 0, 'a category they may not read hides its posts');
  await db.updateTable('categories').set({ read_rank: 0 }).where('id', '=', category_id).execute();

  // Someone else's list is their own.
  const stranger = await signIn(await make.member());
  t.equal((await stranger.page('/bookmarks')).querySelectorAll('.bookmark-item').length, 0);
  const guest = await make.guest().get('/bookmarks');
  t.equal(guest.statusCode, 303);
  t.match(guest.headers.location, /^\/login\?next=/);
  t.equal((await reader.get('/bookmarks?before=nonsense')).statusCode, 404);
});

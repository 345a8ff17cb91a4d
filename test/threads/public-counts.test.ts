// The counts shown to everyone — a member's posts and threads on their profile, a tag's threads
// on its page — count only what everyone may read: nothing of a category that asks for a role or
// a rank (migrations/0026_public_counts.ts). Moving a thread between an open and a restricted
// category moves them.
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import type { Db } from '../../server/db/index.ts';
import { approvePost, hidePost, holdPost, unhidePost } from '../../server/moderation/holds.ts';
import { mergeThread } from '../../server/threads/staff/queries.ts';
import { deletePost } from '../../server/moderation/edits.ts';
import { createCategory, createReply, createThread } from '../../server/threads/queries.ts';
import type { Page } from '../helpers/html.ts';
import { testApp } from '../helpers/app.ts';

const stat = (page: Page, label: string) =>
  page.querySelectorAll('.stats div').find((d) => d.querySelector('dt')?.text === label)?.querySelector('dd')?.text;

t.test('a staff-only category counts on no profile and no tag; moving a thread in and out moves the counts', async (t) => {
  const { db, make, signIn } = await testApp(t);
  // An admin moves: they may read every category, whatever the move form asks of a moderator.
  const admin = await signIn(await make.member({ role: 'admin' }));
  const open = await createCategory(db, { name: 'General', slug: 'general' });
  const staffRoom = await createCategory(db, { name: 'Staff room', slug: 'staff-room', read_role: 'staff' });
  const regulars = await createCategory(db, { name: 'Regulars', slug: 'regulars', read_rank: 2 });
  const writer = await make.member({ username: 'writer' });

  const inOpen = await createThread(db, { categoryId: open.id, userId: writer.id, title: 'Hello everyone', body: 'First.', tags: ['billing'] });
  await createReply(db, { threadId: inOpen.id, userId: writer.id, body: 'A reply.' });
  const inStaff = await createThread(db, { categoryId: staffRoom.id, userId: writer.id, title: 'Between staff', body: 'First.', tags: ['billing'] });
  for (const body of ['Second.', 'Third.']) await createReply(db, { threadId: inStaff.id, userId: writer.id, body });
  const forRegulars = await createThread(db, { categoryId: regulars.id, userId: writer.id, title: 'For regulars', body: 'First.', tags: ['billing'] });

  const guest = make.guest();
  const counts = async () => {
    const profile = await guest.page('/u/writer');
    const tag = await guest.page('/tag/billing');
    return { threads: stat(profile, 'Threads'), posts: stat(profile, 'Posts'), tag: tag.querySelector('.tag-count')?.text.trim() };
  };
  t.same(await counts(), { threads: '1', posts: '2', tag: '1 thread' }, 'a guest sees the open category\'s thread and posts only');
  t.same(
    (await guest.page('/tag/billing')).querySelectorAll('.thread-title').map((a) => a.text),
    ['Hello everyone'],
    'as the tag page lists them',
  );

  const move = async (threadId: number, category: string) => {
    await admin.page('/');
    t.equal((await admin.submit(`/t/${threadId}/move`, { category })).statusCode, 303, `moved to ${category}`);
  };
  await move(inStaff.id, 'general');
  t.same(await counts(), { threads: '2', posts: '5', tag: '2 threads' }, 'out of the staff room: it counts');
  await move(inStaff.id, 'regulars');
  t.same(await counts(), { threads: '1', posts: '2', tag: '1 thread' }, 'into a category for some ranks: it leaves the counts');
  await move(forRegulars.id, 'staff-room');
  t.same(await counts(), { threads: '1', posts: '2', tag: '1 thread' }, 'between two restricted categories: nothing changes');
  await move(inOpen.id, 'staff-room');
  t.same(await counts(), { threads: '0', posts: '0', tag: '0 threads' }, 'the open thread moved away: nothing left');
  await move(inOpen.id, 'general');
  t.same(await counts(), { threads: '1', posts: '2', tag: '1 thread' }, 'and back');
});

t.test('a category opened to all, or closed, moves the counts of every thread in it', async (t) => {
  const { db, make } = await testApp(t);
  const staffRoom = await createCategory(db, { name: 'Staff room', slug: 'staff-room', read_role: 'staff' });
  const writer = await make.member({ username: 'writer' });
  const replier = await make.member({ username: 'replier' });
  const th = await createThread(db, { categoryId: staffRoom.id, userId: writer.id, title: 'Between staff', body: 'First.', tags: ['plans'] });
  await createReply(db, { threadId: th.id, userId: replier.id, body: 'A reply.' });
  const kept = async () => ({
    members: await db.selectFrom('users').select(['username', 'post_count', 'thread_count']).where('username', 'in', ['writer', 'replier']).orderBy('username').execute(),
    tag: (await db.selectFrom('tags').select('thread_count').where('name', '=', 'plans').executeTakeFirstOrThrow()).thread_count,
  });
  const closed = { members: [{ username: 'replier', post_count: 0, thread_count: 0 }, { username: 'writer', post_count: 0, thread_count: 0 }], tag: 0 };
  t.same(await kept(), closed, 'closed: nothing counts');
  // No page changes a category's access yet; the counts follow the rows whatever does.
  await db.updateTable('categories').set({ read_role: null }).where('id', '=', staffRoom.id).execute();
  t.same(await kept(), { members: [{ username: 'replier', post_count: 1, thread_count: 0 }, { username: 'writer', post_count: 1, thread_count: 1 }], tag: 1 }, 'opened: all of it counts');
  await db.updateTable('categories').set({ read_rank: 1 }).where('id', '=', staffRoom.id).execute();
  t.same(await kept(), closed, 'closed again, by rank');
});

t.test('a category opened while a reply in it is being written counts the reply once', async (t) => {
  const { db, make } = await testApp(t);
  const staffRoom = await createCategory(db, { name: 'Staff room', slug: 'staff-room', read_role: 'staff' });
  const writer = await make.member({ username: 'writer' });
  const th = await createThread(db, { categoryId: staffRoom.id, userId: writer.id, title: 'Between staff', body: 'First.' });

  // The reply is written, not yet committed, when an admin opens the category to all.
  let commit!: () => void;
  const held = new Promise<void>((resolve) => (commit = resolve));
  let written!: () => void;
  const replyWritten = new Promise<void>((resolve) => (written = resolve));
  const replying = db.transaction().execute(async (tx) => {
    await createReply(tx, { threadId: th.id, userId: writer.id, body: 'A reply.' });
    written();
    await held;
  });
  await replyWritten;
  const opening = db.updateTable('categories').set({ read_role: null }).where('id', '=', staffRoom.id).execute();
  await new Promise((r) => setTimeout(r, 200));
  commit();
  await Promise.all([replying, opening]);
  const row = await db.selectFrom('users').select(['post_count', 'thread_count']).where('id', '=', writer.id).executeTakeFirstOrThrow();
  t.same(row, { post_count: 2, thread_count: 1 }, 'the first post and the reply, each once');
});

/** Each tag's kept count next to its threads that are public in a category open to all, counted from the rows. */
async function checkTags(t: Test, db: Db, step: string, expected: Record<string, number>) {
  const { rows } = await sql<{ name: string; kept: number; counted: number }>`
    select g.name, g.thread_count as kept,
      (select count(*)::int from thread_tags tt join threads t on t.id = tt.thread_id join categories c on c.id = t.category_id
        where tt.tag_id = g.id and t.deleted_at is null and t.hidden_at is null and t.pending_at is null
          and c.read_role is null and c.read_rank = 0) as counted
    from tags g order by g.name`.execute(db);
  t.same(rows.filter((r) => r.kept !== r.counted), [], `${step}: every tag's kept count equals the rows'`);
  t.same(Object.fromEntries(rows.map((r) => [r.name, r.kept])), expected, `${step}: ${JSON.stringify(expected)}`);
}

t.test('a tag counts its public threads through holding, approval, hiding, deletion, merging and erasure', async (t) => {
  const { db, make } = await testApp(t);
  const general = await createCategory(db, { name: 'General', slug: 'general' });
  const author = await make.member();
  const moderator = await make.member({ role: 'moderator' });
  const start = (title: string, tags: string[], hold?: 'newcomer') =>
    createThread(db, { categoryId: general.id, userId: author.id, title, body: 'First.', tags, hold });

  const one = await start('One', ['billing', 'how-to']);
  const two = await start('Two', ['billing']);
  const held = await start('Held', ['billing'], 'newcomer');
  await checkTags(t, db, 'two public threads and a held one', { billing: 2, 'how-to': 1 });
  await approvePost(db, held.postId);
  await checkTags(t, db, 'the held one approved', { billing: 3, 'how-to': 1 });
  await hidePost(db, one.postId, 'moderator');
  await checkTags(t, db, 'one hidden', { billing: 2, 'how-to': 0 });
  t.notOk(await hidePost(db, one.postId, 'flags'), 'hidden twice changes nothing');
  await holdPost(db, one.postId, 'watched_word');
  await checkTags(t, db, 'hidden and held', { billing: 2, 'how-to': 0 });
  await unhidePost(db, one.postId);
  await approvePost(db, one.postId);
  await checkTags(t, db, 'shown and let in again', { billing: 3, 'how-to': 1 });
  await createReply(db, { threadId: one.id, userId: author.id, body: 'A reply moves no tag.' });
  await deletePost(db, { postId: two.postId, by: author.id });
  await checkTags(t, db, 'a thread deleted', { billing: 2, 'how-to': 1 });
  await db.transaction().execute((tx) => mergeThread(tx, { sourceId: held.id, targetId: one.id, by: moderator.id, at: new Date() }));
  await checkTags(t, db, 'a thread merged into another: the merged one is gone', { billing: 1, 'how-to': 1 });
  const three = await start('Three', ['how-to']);
  await checkTags(t, db, 'another thread', { billing: 1, 'how-to': 2 });
  await db.deleteFrom('posts').where('thread_id', '=', three.id).execute();
  await db.deleteFrom('threads').where('id', '=', three.id).execute();
  await checkTags(t, db, 'a thread erased, with its tags', { billing: 1, 'how-to': 1 });
  await db.deleteFrom('thread_tags').where('thread_id', '=', one.id).execute();
  await checkTags(t, db, 'tags taken off a thread', { billing: 0, 'how-to': 0 });
});

// The member profile: what it shows and what it costs. Its counts are a member's public posts
// and threads (publicPost/publicThread), kept on the member's row by triggers
// (migrations/0023_member_counts.ts); every path that changes what is public must leave them
// equal to a count made from the rows.
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import type { Db } from '../../server/db/index.ts';
import { approvePost, hidePost, holdPost, unhidePost } from '../../server/moderation/holds.ts';
import { publicPost } from '../../server/access/posts.ts';
import { publicThread } from '../../server/access/threads.ts';
import { deletePost } from '../../server/moderation/edits.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp, type Member } from '../helpers/app.ts';
import { moderationSetup } from '../helpers/moderation.ts';

/** Each member's counts counted from the rows, the way the profile counted them before they were kept. */
function countedFromRows(db: Db) {
  return db
    .selectFrom('users as u')
    .select((eb) => [
      'u.username',
      'u.post_count',
      'u.thread_count',
      eb
        .selectFrom('posts as p')
        .innerJoin('threads as t', 't.id', 'p.thread_id')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('p.user_id', '=', 'u.id')
        .where(publicPost)
        .where(publicThread)
        .as('posts'),
      eb.selectFrom('threads as t').select(eb.fn.countAll<number>().as('n')).whereRef('t.user_id', '=', 'u.id').where(publicThread).as('threads'),
    ])
    .orderBy('u.id')
    .execute();
}

/**
 * After a change: every member's kept counts equal the rows', and the members named have the
 * counts expected ([posts, threads]), so a path that forgets a counter fails here.
 */
async function check(t: Test, db: Db, step: string, expected: [Member, number, number][]) {
  const rows = await countedFromRows(db);
  const wrong = rows.filter((r) => r.post_count !== r.posts || r.thread_count !== r.threads);
  t.same(wrong, [], `${step}: every member's kept counts equal the rows'`);
  for (const [member, posts, threads] of expected) {
    const row = rows.find((r) => r.username === member.username);
    t.same([row?.post_count, row?.thread_count], [posts, threads], `${step}: ${member.username} has ${posts} posts, ${threads} threads`);
  }
}

const stat = (page: { querySelectorAll(s: string): { querySelector(s: string): { text: string } | null }[] }, label: string) =>
  page.querySelectorAll('.stats div').find((d) => d.querySelector('dt')?.text === label)?.querySelector('dd')?.text;

t.test('the profile shows the kept counts and the latest listed threads, in three queries for the first guest and none after', async (t) => {
  const { app, db, make } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const writer = await make.member({ username: 'Writer' });
  const other = await make.member();
  const made: number[] = [];
  for (let i = 1; i <= 12; i++) {
    const th = await createThread(db, { categoryId: general.id, userId: writer.id, title: `Thread number ${i}`, body: 'Body.', at: new Date(Date.UTC(2026, 0, i)) });
    made.push(th.id);
    await createReply(db, { threadId: th.id, userId: other.id, body: 'A reply.' });
  }
  await createReply(db, { threadId: made[0], userId: writer.id, body: 'My own reply.' });
  await db.updateTable('threads').set({ unlisted_at: new Date() }).where('id', '=', made[11]).execute();

  const guest = make.guest();
  await guest.page('/u/writer');
  let before = app.queryCount();
  const page = await guest.page('/u/WRITER');
  t.equal(app.queryCount() - before, 3, "the member's id (what a guest's copy is kept under), the member with their counts, and their recent threads");
  before = app.queryCount();
  t.equal((await guest.page('/u/WRITER')).h1(), 'Writer');
  t.equal(app.queryCount() - before, 0, 'and the next guest gets the kept page');
  t.equal(page.h1(), 'Writer');
  t.equal(stat(page, 'Threads'), '12', 'an unlisted thread is public: it counts');
  t.equal(stat(page, 'Posts'), '13');
  t.same(
    page.querySelectorAll('.profile li a').map((a) => a.text),
    [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `Thread number ${i}`),
    'the ten latest listed threads, newest first',
  );
  t.equal((await guest.get('/u/nobody-here')).statusCode, 404);
});

t.test('posting, approval, hiding, holding, deletion and restoring keep every member\'s counts exact', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const author = await make.member({ username: 'author' });
  const replier = await make.member({ username: 'replier' });
  await check(t, db, 'no posts yet', [[author, 0, 0], [replier, 0, 0]]);

  const open = await createThread(db, { categoryId: general.id, userId: author.id, title: 'An open thread', body: 'First.' });
  const r1 = await createReply(db, { threadId: open.id, userId: replier.id, body: 'Reply one.' });
  const r2 = await createReply(db, { threadId: open.id, userId: replier.id, body: 'Reply two.' });
  await check(t, db, 'a thread and two replies', [[author, 1, 1], [replier, 2, 0]]);

  const held = await createThread(db, { categoryId: general.id, userId: author.id, title: 'A held thread', body: 'Held first.', hold: 'newcomer' });
  const inHeld = await createReply(db, { threadId: held.id, userId: replier.id, body: 'A reply in a held thread.' });
  await check(t, db, 'a held thread, and a public reply in it', [[author, 1, 1], [replier, 2, 0]]);
  await approvePost(db, held.postId);
  await check(t, db, 'the held thread approved: it and the reply in it count', [[author, 2, 2], [replier, 3, 0]]);

  const heldReply = await createReply(db, { threadId: open.id, userId: author.id, body: 'A held reply.', hold: 'newcomer' });
  await check(t, db, 'a held reply', [[author, 2, 2]]);
  await approvePost(db, heldReply.id);
  await check(t, db, 'the held reply approved', [[author, 3, 2]]);

  await hidePost(db, r1.id, 'flags');
  await check(t, db, 'a reply hidden by flags', [[replier, 2, 0]]);
  t.notOk(await hidePost(db, r1.id, 'moderator'), 'hiding it again changes nothing');
  await check(t, db, 'hidden twice', [[replier, 2, 0]]);
  await unhidePost(db, r1.id);
  await check(t, db, 'the reply shown again', [[replier, 3, 0]]);

  await hidePost(db, open.postId, 'moderator');
  await check(t, db, 'the thread hidden (its first post): its replies leave with it', [[author, 1, 1], [replier, 1, 0]]);
  await hidePost(db, r2.id, 'moderator');
  await check(t, db, 'a reply hidden inside the hidden thread', [[author, 1, 1], [replier, 1, 0]]);
  await unhidePost(db, open.postId);
  await check(t, db, 'the thread shown again, the reply hidden in it still out', [[author, 3, 2], [replier, 2, 0]]);
  await unhidePost(db, r2.id);
  await check(t, db, 'and that reply shown', [[replier, 3, 0]]);

  await holdPost(db, r2.id, 'watched_word');
  await check(t, db, 'a reply held again after an edit', [[replier, 2, 0]]);
  await approvePost(db, r2.id);
  await check(t, db, 'and approved', [[replier, 3, 0]]);

  await holdPost(db, held.postId, 'watched_word');
  await check(t, db, 'a thread held again (its first post)', [[author, 2, 1], [replier, 2, 0]]);
  await approvePost(db, held.postId);
  await check(t, db, 'and approved', [[author, 3, 2], [replier, 3, 0]]);

  // Deleting through the route, as the author does.
  const writer = await signIn(replier);
  await writer.page(`/p/${r1.id}/delete`);
  t.equal((await writer.submit(`/p/${r1.id}/delete`)).statusCode, 303, 'the replier deletes a reply');
  await check(t, db, 'a reply deleted', [[replier, 2, 0]]);
  await hidePost(db, r2.id, 'moderator');
  await deletePost(db, { postId: r2.id, by: author.id });
  await check(t, db, 'a hidden reply deleted: it had left already', [[replier, 1, 0]]);

  await deletePost(db, { postId: held.postId, by: author.id });
  await check(t, db, 'a thread deleted (its first post): its replies leave with it', [[author, 2, 1], [replier, 0, 0]]);

  // Nothing in the app restores yet; the counts follow the rows whatever changes them.
  await db.updateTable('posts').set({ deleted_at: null, deleted_by: null }).where('id', '=', held.postId).execute();
  await db.updateTable('threads').set({ deleted_at: null, deleted_by: null }).where('id', '=', held.id).execute();
  await check(t, db, 'the thread restored', [[author, 3, 2], [replier, 1, 0]]);
  await db.updateTable('posts').set({ deleted_at: null, deleted_by: null }).where('id', '=', r1.id).execute();
  await check(t, db, 'a reply restored', [[replier, 2, 0]]);
  await db.updateTable('posts').set({ user_id: author.id }).where('id', '=', inHeld.id).execute();
  await check(t, db, 'a post given to another member', [[author, 4, 2], [replier, 1, 0]]);
  await db.deleteFrom('posts').where('id', '=', r1.id).execute();
  await check(t, db, 'a post erased', [[replier, 0, 0]]);
  await db.deleteFrom('posts').where('thread_id', '=', held.id).execute();
  await db.deleteFrom('threads').where('id', '=', held.id).execute();
  await check(t, db, 'a thread erased with its posts', [[author, 2, 1]]);

  const page = await make.guest().page('/u/author');
  t.same([stat(page, 'Threads'), stat(page, 'Posts')], ['1', '2'], 'the profile shows the kept counts');
});

t.test('moving, merging and splitting threads keep every member\'s counts exact', async (t) => {
  const { db, make, mod, moderator, member } = await moderationSetup(t);
  const help = await make.category({ slug: 'help', name: 'Help' });
  await make.category({ slug: 'ideas', name: 'Ideas' });
  const third = await make.member({ username: 'third' });
  const act = async (path: string, fields: Record<string, string>) => {
    await mod.page('/');
    return mod.submit(path, fields);
  };
  async function thread(title: string, by: Member, repliers: Member[]) {
    const th = await createThread(db, { categoryId: help.id, userId: by.id, title, body: `${title}: first.` });
    const posts = [th.postId];
    for (const r of repliers) posts.push((await createReply(db, { threadId: th.id, userId: r.id, body: `${title}: a reply.` })).id);
    return { ...th, posts };
  }
  const target = await thread('Pricing for teams', member, [third]);
  const source = await thread('Team pricing?', third, [member, moderator]);
  await check(t, db, 'two threads', [[member, 2, 1], [third, 2, 1], [moderator, 1, 0]]);

  t.equal((await act(`/t/${source.id}/move`, { category: 'ideas' })).statusCode, 303);
  await check(t, db, 'a thread moved: nothing changes', [[member, 2, 1], [third, 2, 1], [moderator, 1, 0]]);

  t.equal((await act(`/t/${source.id}/merge`, { into: String(target.id) })).statusCode, 303);
  await check(t, db, 'merged: the source thread is gone, its posts count in the target', [[member, 2, 1], [third, 2, 0], [moderator, 1, 0]]);

  const res = await act(`/t/${target.id}/split`, { posts: `p${source.posts[1]}, p${source.posts[2]}`, title: 'Member pricing split', category: 'ideas' });
  t.equal(res.statusCode, 303);
  await check(t, db, 'split: the first moved post opens a thread for its author', [[member, 2, 2], [third, 2, 0], [moderator, 1, 0]]);

  // Posts merged into a thread that is not public leave the counts.
  const heldTarget = await createThread(db, { categoryId: help.id, userId: moderator.id, title: 'A held destination', body: 'Held.', hold: 'spam' });
  const other = await thread('Another question', third, [member]);
  await check(t, db, 'before merging into a held thread', [[member, 3, 2], [third, 3, 1], [moderator, 1, 0]]);
  t.equal((await act(`/t/${other.id}/merge`, { into: String(heldTarget.id) })).statusCode, 303);
  await check(t, db, 'merged into a held thread', [[member, 2, 2], [third, 2, 0], [moderator, 1, 0]]);
  await approvePost(db, heldTarget.postId);
  await check(t, db, 'the held thread approved, with the posts merged into it', [[member, 3, 2], [third, 3, 0], [moderator, 2, 1]]);
});

t.test('a thread hidden while a reply in it is hidden at the same time: the reply leaves the count once', async (t) => {
  const { db, make } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const author = await make.member({ username: 'author' });
  const replier = await make.member({ username: 'replier' });
  const th = await createThread(db, { categoryId: general.id, userId: author.id, title: 'A busy thread', body: 'First.' });
  const reply = await createReply(db, { threadId: th.id, userId: replier.id, body: 'A reply.' });
  await createReply(db, { threadId: th.id, userId: replier.id, body: 'Another reply.' });
  await check(t, db, 'before', [[replier, 2, 0]]);

  // One moderator hides the thread and has not committed when another hides a reply in it.
  let commit!: () => void;
  const held = new Promise<void>((resolve) => (commit = resolve));
  let hiding!: () => void;
  const threadHidden = new Promise<void>((resolve) => (hiding = resolve));
  const first = db.transaction().execute(async (tx) => {
    await hidePost(tx, th.postId, 'moderator');
    hiding();
    await held;
  });
  await threadHidden;
  const second = db.transaction().execute((tx) => hidePost(tx, reply.id, 'moderator'));
  await new Promise((r) => setTimeout(r, 200));
  commit();
  await Promise.all([first, second]);
  await check(t, db, 'after both', [[author, 0, 0], [replier, 0, 0]]);
  await unhidePost(db, th.postId);
  await check(t, db, 'the thread shown again; the reply stays hidden', [[author, 1, 1], [replier, 1, 0]]);
});

t.test('the backfill counts what members had before the counts were kept', async (t) => {
  const { db, make } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const author = await make.member({ username: 'author' });
  const th = await createThread(db, { categoryId: general.id, userId: author.id, title: 'Old thread', body: 'First.' });
  await createReply(db, { threadId: th.id, userId: author.id, body: 'Reply.' });
  const gone = await createReply(db, { threadId: th.id, userId: author.id, body: 'Hidden reply.' });
  await hidePost(db, gone.id, 'flags');
  // As the rows stood before migration 0023: nothing kept.
  await sql`update users set post_count = 0, thread_count = 0`.execute(db);
  const author0 = (await countedFromRows(db)).find((r) => r.username === 'author')!;
  t.same([author0.post_count, author0.posts], [0, 2], 'the kept counts are wrong before the backfill');
  const { up } = await import('../../migrations/0023_member_counts_backfill.ts');
  await up(db);
  await check(t, db, 'after the backfill', [[author, 2, 1]]);
});

t.test("a guest's kept profile follows the member's reputation, threads and badges", async (t) => {
  const { db, make } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const writer = await make.member({ username: 'writer' });
  const guest = make.guest();
  const shown = async () => {
    const page = await guest.page('/u/writer');
    return { reputation: stat(page, 'Reputation'), threads: stat(page, 'Threads'), badges: page.querySelectorAll('.profile-badges li').length };
  };
  t.same(await shown(), { reputation: '1', threads: '0', badges: 0 });
  await createThread(db, { categoryId: general.id, userId: writer.id, title: 'My first thread here', body: 'Hello.' });
  t.same(await shown(), { reputation: '1', threads: '1', badges: 0 }, 'a new thread shows at once');
  await db.updateTable('users').set({ reputation: 11 }).where('id', '=', writer.id).execute();
  t.same(await shown(), { reputation: '11', threads: '1', badges: 0 }, 'so does a change of reputation');
  await db.insertInto('user_badges').values({ user_id: writer.id, badge: 'first-post' }).execute();
  await db.insertInto('notifications').values({ user_id: writer.id, kind: 'badge', message: 'A badge.', link: '/badges/first-post' }).execute();
  t.same(await shown(), { reputation: '11', threads: '1', badges: 1 }, 'and a badge, with its notice');
});

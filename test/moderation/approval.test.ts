// A newcomer's first posts wait for approval: held, queued, seen by their author and moderators
// only, and let in (counters, notifications) by approvePost.
import t from 'tap';
import { approvePost } from '../../server/moderation/holds.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { testApp } from '../helpers/app.ts';

type Fixture = Awaited<ReturnType<typeof testApp>>;

function postOf(db: Fixture['db'], id: number) {
  return db.selectFrom('posts').select(['id', 'thread_id', 'pending_at', 'pending_reason']).where('id', '=', id).executeTakeFirstOrThrow();
}

function queueItems(db: Fixture['db']) {
  return db.selectFrom('queue_items').select(['id', 'kind', 'post_id', 'status', 'detail', 'category_id']).orderBy('id').execute();
}

const postIdFrom = (location: string) => Number(/#post-(\d+)$/.exec(location)![1]);

t.test('a newcomer\'s first thread is held: queued, shown to its author and moderators only', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category({ slug: 'general' });
  const newcomer = await make.member({ rank: 0, username: 'new_one' });
  const a = await signIn(newcomer);
  await a.get('/c/general/new');
  const res = await a.submit('/c/general/threads', { title: 'Hello from a newcomer', body: 'My very first words here.' });
  t.equal(res.statusCode, 303);
  const url = res.headers.location as string;

  const page = await a.page(url);
  t.equal(page.h1(), 'Hello from a newcomer', 'the author opens their held thread');
  t.match(page.messages().join(' '), /waiting for a moderator to approve it/, 'and is told it waits');
  t.equal(page.querySelector('article.post .pending-marker')?.text, 'awaiting approval');
  t.ok(page.querySelector('article.post.post-pending [role=note]'), 'with the note on the post');

  const post = await db.selectFrom('posts').select(['id', 'pending_reason']).where('user_id', '=', newcomer.id).executeTakeFirstOrThrow();
  t.equal(post.pending_reason, 'newcomer');
  const items = await queueItems(db);
  t.equal(items.length, 1, 'one queue item');
  t.match(items[0], { kind: 'approval', post_id: post.id, status: 'open', category_id: category.id });
  t.match(items[0].detail, /newcomer/i);

  const other = await signIn(await make.member());
  t.equal((await other.get(url)).statusCode, 404, 'another member does not find it');
  t.equal((await make.guest().get(url)).statusCode, 404, 'nor does a guest');
  t.notMatch((await other.page('/c/general')).text, /Hello from a newcomer/, 'nor is it listed');
  t.notMatch((await make.guest().page('/')).text, /Hello from a newcomer/, 'on the home page either');
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const modView = await moderator.page(url);
  t.equal(modView.h1(), 'Hello from a newcomer', 'a moderator sees it');
  t.ok(modView.querySelector('article.post .pending-marker'));
  const row = await db.selectFrom('categories').select('thread_count').where('id', '=', category.id).executeTakeFirstOrThrow();
  t.equal(row.thread_count, 0, 'the category does not count it yet');

  t.ok(await approvePost(db, post.id), 'approved');
  t.equal((await other.get(url)).statusCode, 200, 'then everyone sees it');
  t.equal((await db.selectFrom('categories').select('thread_count').where('id', '=', category.id).executeTakeFirstOrThrow()).thread_count, 1);
});

t.test('a newcomer\'s held reply: hidden from others, counted and notified only once approved', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const starter = await make.member({ username: 'starter' });
  const mentioned = await make.member({ username: 'mentioned_one' });
  const thread = await make.thread({ by: starter, title: 'A question for everyone' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const newcomer = await make.member({ rank: 0 });
  const a = await signIn(newcomer);
  await a.get(url);
  const res = await a.submit(`/t/${thread.id}/replies`, { body: 'I think @mentioned_one knows.' });
  t.equal(res.statusCode, 303);
  const postId = postIdFrom(res.headers.location as string);
  t.equal((await postOf(db, postId)).pending_reason, 'newcomer');

  const own = await a.page(url);
  t.equal(own.querySelectorAll('article.post').length, 2, 'the author sees their reply');
  t.ok(own.querySelector(`#post-${postId} .pending-marker`), 'marked as awaiting approval');
  const member = await signIn(await make.member());
  t.equal((await member.page(url)).querySelectorAll('article.post').length, 1, 'another member does not');
  t.equal((await make.guest().page(url)).querySelectorAll('article.post').length, 1, 'nor does a guest');
  t.equal((await (await signIn(await make.member({ role: 'moderator' }))).page(url)).querySelectorAll('article.post').length, 2, 'a moderator does');

  const counts = async () => ({
    replies: (await db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count,
    notified: (await db.selectFrom('notifications').select(['user_id', 'kind']).orderBy('user_id').execute()),
  });
  t.same(await counts(), { replies: 0, notified: [] }, 'no reply counted, nobody notified while it waits');

  clock.advance(60);
  t.ok(await approvePost(db, postId, clock.now()));
  t.same(await counts(), {
    replies: 1,
    notified: [{ user_id: starter.id, kind: 'reply' }, { user_id: mentioned.id, kind: 'mention' }].sort((x, y) => x.user_id - y.user_id),
  }, 'approved: counted once, the thread author and the mentioned member hear of it');
  t.notOk(await approvePost(db, postId, clock.now()), 'approving twice changes nothing');
  t.equal((await counts()).replies, 1);
  t.equal((await member.page(`${url}?page=1`)).querySelectorAll('article.post').length, 2, 'everyone sees it now');
});

t.test('with htmx the held reply comes back marked as awaiting approval', async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const a = await signIn(await make.member({ rank: 0 }));
  await a.get(`/t/${thread.id}/${thread.slug}`);
  const res = await a.submit(`/t/${thread.id}/replies`, { body: 'An inline first reply' }, { htmx: true });
  t.equal(res.statusCode, 200);
  t.ok(res.page().querySelector('article.post.post-pending .pending-marker'));
});

t.test('once their first posts are approved, a newcomer posts freely; approval_posts 0 turns approval off', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const thread = await make.thread();
  const newcomer = await make.member({ rank: 0 });
  const a = await signIn(newcomer);
  await a.get(`/t/${thread.id}/${thread.slug}`);
  const reply = async (body: string) => {
    clock.advance(31); // a newcomer waits 30 seconds between posts
    const res = await a.submit(`/t/${thread.id}/replies`, { body });
    t.equal(res.statusCode, 303, `posted: ${body}`);
    return postOf(db, postIdFrom(res.headers.location as string));
  };
  const first = await reply('First reply');
  const second = await reply('Second reply');
  t.equal(first.pending_reason, 'newcomer');
  t.equal(second.pending_reason, 'newcomer', 'held: none of the first two is approved yet');
  await approvePost(db, first.id);
  t.equal((await reply('Third reply')).pending_reason, 'newcomer', 'one approved post is not enough');
  await approvePost(db, second.id);
  t.equal((await reply('Fourth reply')).pending_at, null, 'after two approved posts, no longer held');
  t.equal((await queueItems(db)).length, 3, 'one queue item per held post');

  const other = await signIn(await make.member({ rank: 0 }));
  await other.get(`/t/${thread.id}/${thread.slug}`);
  await changeSetting(db, 'approval_posts', 0, admin.id);
  const res = await other.submit(`/t/${thread.id}/replies`, { body: 'Approval is off now' });
  t.equal((await postOf(db, postIdFrom(res.headers.location as string))).pending_at, null, 'approval_posts 0: not held');
});

t.test('moderators and staff are never held, whatever their rank', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await make.category({ slug: 'news' });
  for (const role of ['moderator', 'staff', 'admin'] as const) {
    const who = await signIn(await make.member({ role, rank: 0 }));
    await who.get('/c/news/new');
    const res = await who.submit('/c/news/threads', { title: `Posted by ${role}`, body: `A word from ${role}.` });
    t.equal(res.statusCode, 303);
  }
  const held = await db.selectFrom('posts').select('id').where('pending_at', 'is not', null).execute();
  t.equal(held.length, 0);
  t.equal((await queueItems(db)).length, 0);
});

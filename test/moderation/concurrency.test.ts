// Posting and flag limits hold when a member's requests arrive at once: each is checked after the
// ones before it are written, so the interval, the duplicate window, the hourly cap and the daily
// flag cap count every post and flag, and a refused one leaves nothing behind. Other members are
// not held up by it. The pool is larger than the bursts, so the requests really overlap.
import t from 'tap';
import { lockMemberLimit } from '../../server/moderation/posting/member-lock.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { createReply } from '../../server/threads/queries.ts';
import type { Response } from '../helpers/agent.ts';
import { testApp } from '../helpers/app.ts';

const POOL = 12;

const statuses = (responses: Response[]) => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
};

t.test('replies sent at once: one goes through the interval, the others wait, and nothing else is written', async (t) => {
  const { make, signIn, db, clock } = await testApp(t, { poolSize: POOL });
  const thread = await make.thread();
  const member = await make.member({ rank: 1 });
  const browser = await signIn(member);
  await browser.get(`/t/${thread.id}/${thread.slug}`);

  const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => browser.submit(`/t/${thread.id}/replies`, { body: `Reply at once number ${i + 1}` })));
  t.same(statuses(sent), { 303: 1, 429: 7 }, 'one posted, seven refused');
  for (const r of sent.filter((r) => r.statusCode === 429)) {
    t.match(r.page().messages().join(' '), /You are posting faster than a Member may/);
    t.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After says how long to wait');
  }
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('user_id', '=', member.id).execute();
  t.equal(posts.length, 1, 'one reply in the database');
  const row = await db.selectFrom('threads').select(['reply_count', 'last_post_number']).where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.same(row, { reply_count: 1, last_post_number: 2 }, 'the thread counts the one reply, and no number was taken by a refused one');
  const reads = await db.selectFrom('thread_reads').select('last_read_post_number').where('user_id', '=', member.id).execute();
  t.same(reads.map((r) => r.last_read_post_number), [2]);

  // Past the interval, within the duplicate window: the same words sent at once are posted once,
  // and the rest are told they are duplicates (said before the rate).
  clock.advance(10);
  const again = await Promise.all(Array.from({ length: 5 }, () => browser.submit(`/t/${thread.id}/replies`, { body: 'The same words, sent five times' })));
  t.same(statuses(again), { 303: 1, 422: 4 }, 'one posted, four refused as duplicates');
  for (const r of again.filter((r) => r.statusCode === 422)) t.match(r.page().fieldErrors().body, /You posted this already/);
  const same = await db.selectFrom('posts').select('id').where('user_id', '=', member.id).where('raw', '=', 'The same words, sent five times').execute();
  t.equal(same.length, 1, 'the words are written once');
});

t.test('the hourly cap counts posts sent at once, new threads and replies alike', async (t) => {
  const { make, signIn, db } = await testApp(t, { poolSize: POOL });
  const admin = await make.member({ role: 'admin' });
  // No interval for rank 2, so that only the hourly cap stands between the posts.
  await changeSetting(db, 'post_interval_seconds', [30, 5, 0, 5, 5], admin.id);
  await changeSetting(db, 'posts_per_hour', [10, 60, 3, 120, 180], admin.id);
  const category = await make.category({ slug: 'general' });
  const thread = await make.thread();
  const member = await make.member({ rank: 2 });
  const browser = await signIn(member);
  await browser.get('/c/general/new');

  const sent = await Promise.all([
    ...Array.from({ length: 3 }, (_, i) => browser.submit('/c/general/threads', { title: `A thread at once ${i + 1}`, body: `Thread body at once ${i + 1}` })),
    ...Array.from({ length: 3 }, (_, i) => browser.submit(`/t/${thread.id}/replies`, { body: `A reply at once ${i + 1}` })),
  ]);
  t.same(statuses(sent), { 303: 3, 429: 3 }, 'three posted, three refused');
  for (const r of sent.filter((r) => r.statusCode === 429)) {
    t.match(r.page().messages().join(' '), /You have posted 3 times in the last hour, as many as a Contributor may/);
    t.ok(Number(r.headers['retry-after']) > 60, 'Retry-After says the wait for the hour');
  }
  const posts = await db.selectFrom('posts').select('thread_id').where('user_id', '=', member.id).execute();
  t.equal(posts.length, 3, 'three posts in the database');
  const threads = await db.selectFrom('threads').select('id').where('user_id', '=', member.id).execute();
  const firstPosts = posts.filter((p) => p.thread_id !== thread.id);
  t.equal(threads.length, firstPosts.length, 'every new thread written has its first post, and no thread is left without one');
  const { thread_count } = await db.selectFrom('categories').select('thread_count').where('id', '=', category.id).executeTakeFirstOrThrow();
  t.equal(thread_count, threads.length, 'the category counts the threads written');
  const { reply_count } = await db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.equal(reply_count, posts.length - firstPosts.length, 'the thread counts the replies written');
});

t.test('new threads sent at once: one goes through the interval, and no thread is left half-written', async (t) => {
  const { make, signIn, db } = await testApp(t, { poolSize: POOL });
  const category = await make.category({ slug: 'general' });
  // A newcomer: their first posts wait for approval, so each written one also opens a queue item.
  const member = await make.member({ rank: 0 });
  const browser = await signIn(member);
  await browser.get('/c/general/new');
  const sent = await Promise.all(Array.from({ length: 6 }, (_, i) => browser.submit('/c/general/threads', { title: `Hello from a newcomer ${i + 1}`, body: `My first words ${i + 1}` })));
  t.same(statuses(sent), { 303: 1, 429: 5 });
  const threads = await db.selectFrom('threads').select('id').where('user_id', '=', member.id).execute();
  const posts = await db.selectFrom('posts').select('id').where('user_id', '=', member.id).execute();
  const items = await db.selectFrom('queue_items').select('id').where('post_id', 'in', posts.length ? posts.map((p) => p.id) : [0]).execute();
  t.same([threads.length, posts.length, items.length], [1, 1, 1], 'one thread, its post and its queue item');
  const { thread_count } = await db.selectFrom('categories').select('thread_count').where('id', '=', category.id).executeTakeFirstOrThrow();
  t.equal(thread_count, 0, 'a held thread is not counted yet');
});

t.test('members posting at once do not wait for each other', async (t) => {
  const { make, signIn, db, clock } = await testApp(t, { poolSize: POOL });
  const thread = await make.thread();
  const [ann, bob] = [await make.member(), await make.member()];
  const [annBrowser, bobBrowser] = [await signIn(ann), await signIn(bob)];
  await annBrowser.get(`/t/${thread.id}/${thread.slug}`);
  await bobBrowser.get(`/t/${thread.id}/${thread.slug}`);
  const both = await Promise.all([
    annBrowser.submit(`/t/${thread.id}/replies`, { body: 'Ann says hello' }),
    bobBrowser.submit(`/t/${thread.id}/replies`, { body: 'Bob says hello' }),
  ]);
  t.same(both.map((r) => r.statusCode), [303, 303], 'both posted');

  // While something else holds Ann's posting lock, Bob still posts; Ann's reply goes through
  // once it is let go.
  clock.advance(10);
  let release!: () => void;
  let locked!: () => void;
  const held = new Promise<void>((resolve) => (locked = resolve));
  const holding = db.transaction().execute(async (tx) => {
    await lockMemberLimit(tx, 'posting', ann.id);
    locked();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await held;
  const annWaits = annBrowser.submit(`/t/${thread.id}/replies`, { body: 'Ann again, later' });
  const bobRes = await bobBrowser.submit(`/t/${thread.id}/replies`, { body: 'Bob again, not held up' });
  t.equal(bobRes.statusCode, 303, "Bob's reply is written while Ann's lock is held");
  t.equal((await db.selectFrom('posts').select('id').where('user_id', '=', ann.id).execute()).length, 1, "Ann's second reply waits");
  release();
  await holding;
  t.equal((await annWaits).statusCode, 303, "then Ann's reply is written");
});

t.test('flags sent at once on different posts stop at the daily cap', async (t) => {
  const { make, signIn, db } = await testApp(t, { poolSize: POOL });
  const author = await make.member();
  const thread = await make.thread({ by: author });
  const posts: number[] = [];
  for (let i = 0; i < 23; i++) posts.push((await createReply(db, { threadId: thread.id, userId: author.id, body: `Something to flag ${i}` })).id);
  const flagger = await make.member({ rank: 1 });
  const browser = await signIn(flagger);
  await browser.get(`/p/${posts[0]}/flag`);
  const sent = await Promise.all(posts.map((id) => browser.submit(`/p/${id}/flags`, { reason: 'off_topic', note: '' })));
  t.same(statuses(sent), { 303: 20, 429: 3 }, 'twenty raised, three refused');
  for (const r of sent.filter((r) => r.statusCode === 429)) t.match(r.page().messages().join(' '), /You have raised 20 flags in the last day/);
  const flags = await db.selectFrom('flags').select('post_id').where('user_id', '=', flagger.id).execute();
  t.equal(flags.length, 20, 'twenty flags in the database');
  const scored = await db.selectFrom('posts').select('id').where('id', 'in', posts).where('flag_score', '>', 0).execute();
  t.equal(scored.length, 20, 'only the flagged posts carry a score');
  const items = await db.selectFrom('queue_items').select('post_id').where('post_id', 'in', posts).execute();
  t.same(items.map((i) => i.post_id).sort(), flags.map((f) => f.post_id).sort(), 'a queue item for each flag written, none for a refused one');
});

t.test('more members posting at once than the pool has connections all get their replies written', async (t) => {
  // Each post holds one connection for its transaction; nothing inside it may wait for a second
  // one (the rules are read before it), or a burst the size of the pool waits for ever. With the
  // settings not kept, every post of the burst reads them, as the first posts after a start or a
  // change of the settings do.
  const { make, signIn, db } = await testApp(t, { poolSize: 3, cache: { settings: false } });
  const thread = await make.thread();
  const browsers = [];
  for (let i = 0; i < 8; i++) {
    const browser = await signIn(await make.member({ rank: 1 }));
    await browser.get(`/t/${thread.id}/${thread.slug}`);
    browsers.push(browser);
  }
  const sent = await Promise.all(browsers.map((b, i) => b.submit(`/t/${thread.id}/replies`, { body: `A reply from member ${i + 1} of eight` })));
  t.same(statuses(sent), { 303: 8 }, 'every reply posted');
  const row = await db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.equal(row.reply_count, 8);
});

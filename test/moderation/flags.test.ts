import t from 'tap';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import type { Agent } from '../helpers/agent.ts';
import { testApp } from '../helpers/app.ts';

type Fixture = Awaited<ReturnType<typeof testApp>>;

/** A thread by `author` with replies; answers the thread and its reply ids. */
async function threadWithReplies({ make, db }: Fixture, replies: number, author?: Awaited<ReturnType<Fixture['make']['member']>>) {
  const by = author ?? (await make.member({ rank: 1 }));
  const thread = await make.thread({ by, replies });
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', thread.id).orderBy('post_number').execute();
  return { thread, author: by, first: posts[0].id, replies: posts.slice(1).map((p) => p.id) };
}

/** Opens the flag form (as a member would) and sends it. */
async function flag(agent: Agent, postId: number, fields: Record<string, string>, opts: { htmx?: boolean } = {}) {
  await agent.get(`/p/${postId}/flag`);
  return agent.submit(`/p/${postId}/flags`, fields, opts);
}

const state = (f: Fixture, postId: number) =>
  f.db.selectFrom('posts').select(['hidden_at', 'hidden_reason', 'flag_score', 'deleted_at']).where('id', '=', postId).executeTakeFirstOrThrow();
const replyCount = async (f: Fixture, threadId: number) =>
  (await f.db.selectFrom('threads').select('reply_count').where('id', '=', threadId).executeTakeFirstOrThrow()).reply_count;
const notices = (f: Fixture, userId: number, kind: string) =>
  f.db.selectFrom('notifications').select(['message', 'post_id']).where('user_id', '=', userId).where('kind', '=', kind as never).execute();

t.test('a member flags a post from its form, with JavaScript off and with htmx', async (t) => {
  const f = await testApp(t);
  const { thread, author, replies } = await threadWithReplies(f, 2);
  const member = await f.make.member({ rank: 1 });
  const agent = await f.signIn(member);

  const page = await agent.page(`/t/${thread.id}/${thread.slug}`);
  t.ok(page.querySelector(`#post-${replies[0]} a.flag-link[href="/p/${replies[0]}/flag"]`), 'each post of another member has a Flag link');
  const self = await f.signIn(author);
  t.notOk((await self.page(`/t/${thread.id}/${thread.slug}`)).querySelector('a.flag-link'), 'not on one\'s own posts');
  t.notOk((await f.make.guest().page(`/t/${thread.id}/${thread.slug}`)).querySelector('a.flag-link'), 'nor for guests');

  const form = await agent.page(`/p/${replies[0]}/flag`);
  t.equal(form.h1(), 'Flag a post');
  t.same(form.querySelectorAll('input[name=reason]').map((i) => i.getAttribute('value')), ['spam', 'offensive', 'off_topic', 'other']);
  let res = await agent.submit(`/p/${replies[0]}/flags`, { reason: 'off_topic', note: 'About another product' });
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, new RegExp(`#post-${replies[0]}$`), 'back to the post');
  t.same((await agent.page(res.headers.location as string)).messages(), ['Thanks, moderators will look at it.']);

  const row = await f.db.selectFrom('flags').selectAll().where('post_id', '=', replies[0]).executeTakeFirstOrThrow();
  t.match(row, { user_id: member.id, reason: 'off_topic', note: 'About another product', weight: 2, outcome: null });
  t.equal((await state(f, replies[0])).flag_score, 2);
  const item = await f.db.selectFrom('queue_items').selectAll().where('post_id', '=', replies[0]).executeTakeFirstOrThrow();
  t.match(item, { kind: 'flag', status: 'open' }, 'the flag opens a queue item');
  t.equal((await state(f, replies[0])).hidden_at, null, 'one flag does not hide the post');

  // htmx: the form opens under the post, and answers "thanks" in its place.
  res = await agent.get(`/p/${replies[1]}/flag`, { 'hx-request': 'true' });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<html/, 'the form alone');
  t.ok(res.page().querySelector(`form.flag-form[hx-post="/p/${replies[1]}/flags"]`));
  t.match(res.headers.vary, /HX-Request/);
  res = await agent.submit(`/p/${replies[1]}/flags`, { reason: 'spam' }, { htmx: true });
  t.equal(res.statusCode, 200);
  t.equal(res.page().querySelector('.flag-thanks')?.text.trim(), 'Thanks, moderators will look at it.');
  t.notMatch(res.body, /<html/);
  t.equal(await f.db.selectFrom('flags').select('id').where('user_id', '=', member.id).execute().then((r) => r.length), 2);
});

t.test('one flag per member per post; not one\'s own; `other` needs a note; guests sign in; deleted posts are gone', async (t) => {
  const f = await testApp(t);
  const { author, replies } = await threadWithReplies(f, 3);
  const member = await f.make.member({ rank: 2 });
  const agent = await f.signIn(member);
  const count = async () => (await f.db.selectFrom('flags').select('id').execute()).length;

  t.equal((await flag(agent, replies[0], { reason: 'spam' })).statusCode, 303);
  let res = await flag(agent, replies[0], { reason: 'offensive' });
  t.equal(res.statusCode, 409, 'a second flag on the same post');
  t.match(res.page().messages().join(' '), /already flagged this post/);
  t.equal(await count(), 1, 'nothing written');
  t.equal((await state(f, replies[0])).flag_score, 3, 'the score counts the first flag only');

  const self = await f.signIn(author);
  t.equal((await self.get(`/p/${replies[1]}/flag`)).statusCode, 403, 'the form refuses one\'s own post');
  await self.get('/');
  res = await self.submit(`/p/${replies[1]}/flags`, { reason: 'spam' });
  t.equal(res.statusCode, 403);
  t.match(res.page().messages().join(' '), /your own post/);

  res = await flag(agent, replies[1], { reason: 'other', note: '   ' });
  t.equal(res.statusCode, 422);
  t.equal(res.page().fieldErrors().note, 'Tell the moderators what is wrong with this post.', 'the error beside the note');
  t.equal(res.page().querySelector('input[name=reason][value=other]')?.hasAttribute('checked'), true, 'the reason kept');
  res = await flag(agent, replies[1], { reason: 'boring' });
  t.equal(res.statusCode, 422);
  t.ok(res.page().fieldErrors().reason);
  t.equal(await count(), 1, 'nothing written');
  t.equal((await flag(agent, replies[1], { reason: 'other', note: 'Copied from a competitor\'s site' })).statusCode, 303);

  const guest = f.make.guest();
  res = await guest.get(`/p/${replies[2]}/flag`);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/login?next=${encodeURIComponent(`/p/${replies[2]}/flag`)}`, 'a guest is asked to sign in');
  await guest.get('/');
  t.equal((await guest.submit(`/p/${replies[2]}/flags`, { reason: 'spam' })).statusCode, 401);

  await f.db.updateTable('posts').set({ deleted_at: new Date() }).where('id', '=', replies[2]).execute();
  t.equal((await agent.get(`/p/${replies[2]}/flag`)).statusCode, 404, 'a deleted post is not there to flag');
  await agent.get('/');
  t.equal((await agent.submit(`/p/${replies[2]}/flags`, { reason: 'spam' })).statusCode, 404);
  t.equal((await flag(agent, 99999999, { reason: 'spam' })).statusCode, 404);
  t.equal(await count(), 2);
});

t.test('newcomers may raise spam flags only', async (t) => {
  const f = await testApp(t);
  const { replies } = await threadWithReplies(f, 2);
  const newcomer = await f.signIn(await f.make.member({ rank: 0 }));
  const form = await newcomer.page(`/p/${replies[0]}/flag`);
  t.same(form.querySelectorAll('input[name=reason]').map((i) => i.getAttribute('value')), ['spam'], 'the form offers spam only');
  let res = await newcomer.submit(`/p/${replies[0]}/flags`, { reason: 'offensive' });
  t.equal(res.statusCode, 403);
  t.equal(res.page().fieldErrors().reason, 'As a newcomer you can flag spam only.');
  t.equal((await f.db.selectFrom('flags').select('id').execute()).length, 0);
  res = await flag(newcomer, replies[0], { reason: 'spam' });
  t.equal(res.statusCode, 303);
  t.equal((await f.db.selectFrom('flags').select('weight').executeTakeFirstOrThrow()).weight, 1, 'a newcomer\'s flag weighs 1');
});

t.test('the hide threshold with mixed ranks', async (t) => {
  const f = await testApp(t);
  const { thread, author, replies } = await threadWithReplies(f, 5);
  const members = async (...ranks: number[]) => Promise.all(ranks.map(async (rank) => f.signIn(await f.make.member({ rank }))));
  const before = await replyCount(f, thread.id);

  for (const agent of await members(1, 1)) t.equal((await flag(agent, replies[0], { reason: 'offensive' })).statusCode, 303);
  t.match(await state(f, replies[0]), { hidden_at: null, flag_score: 4 }, 'two rank-1 flags (2 + 2) stay under 8');

  const [c1, c2, c3] = await members(2, 2, 2);
  await flag(c1, replies[1], { reason: 'offensive' });
  await flag(c2, replies[1], { reason: 'off_topic' });
  t.equal((await state(f, replies[1])).hidden_at, null, 'two rank-2 flags (3 + 3) stay under 8');
  const res = await flag(c3, replies[1], { reason: 'other', note: 'Insulting' });
  t.equal(res.statusCode, 303);
  t.match(await state(f, replies[1]), { hidden_reason: 'flags', flag_score: 9 }, 'the third rank-2 flag (9) hides it');
  t.same((await c3.page(res.headers.location as string)).messages(), ['Thanks, moderators will look at it.']);
  t.equal(await replyCount(f, thread.id), before - 1, 'the hidden reply leaves the count');
  const guestPage = await f.make.guest().page(`/t/${thread.id}/${thread.slug}`);
  t.notOk(guestPage.querySelector(`#post-${replies[1]}`), 'readers no longer see it');
  const authorPage = await (await f.signIn(author)).page(`/t/${thread.id}/${thread.slug}`);
  t.match(authorPage.querySelector(`#post-${replies[1]} .post-notice`)?.text, /Members flagged this post/, 'its author does, and why');
  const told = await notices(f, author.id, 'post_hidden');
  t.equal(told.length, 1, 'its author is told once');
  t.match(told[0].message, /hidden because members flagged it.*may edit it/);
  t.equal(told[0].post_id, replies[1]);

  for (const agent of await members(4, 2)) await flag(agent, replies[2], { reason: 'offensive' });
  t.equal((await state(f, replies[2])).hidden_reason, 'flags', 'an ambassador and a contributor (5 + 3) hide it');

  const [advocate] = await members(3);
  await flag(advocate, replies[3], { reason: 'offensive' });
  t.equal((await state(f, replies[3])).hidden_at, null, 'an advocate\'s offensive flag (4) alone does not');
  await flag(advocate, replies[4], { reason: 'spam' });
  t.match(await state(f, replies[4]), { hidden_reason: 'flags', flag_score: 4 }, 'an advocate\'s spam flag hides at once');

  const items = await f.db.selectFrom('queue_items').select(['post_id', 'kind']).orderBy('post_id').execute();
  t.same(items.map((i) => i.post_id), replies, 'one queue item per flagged post');
  t.equal(await replyCount(f, thread.id), before - 3);
});

t.test('a moderator\'s spam flag hides at once; the threshold is the admins\' setting', async (t) => {
  const f = await testApp(t);
  const { thread, replies } = await threadWithReplies(f, 2);
  const moderator = await f.signIn(await f.make.member({ role: 'moderator' }));
  await flag(moderator, replies[0], { reason: 'spam' });
  t.equal((await state(f, replies[0])).hidden_reason, 'flags');
  // The first post carries its thread: the flagger is sent to the category.
  const admin = await f.make.member({ role: 'admin' });
  await changeSetting(f.db, 'hide_threshold', 4, admin.id);
  const members = await Promise.all([1, 1].map(async (rank) => f.signIn(await f.make.member({ rank }))));
  const first = (await f.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 1).executeTakeFirstOrThrow()).id;
  await flag(members[0], first, { reason: 'offensive' });
  const res = await flag(members[1], first, { reason: 'offensive' });
  t.match(res.headers.location, /^\/c\//, 'with a threshold of 4, two rank-1 flags hide it; its hidden thread is left for its category');
  t.equal((await f.db.selectFrom('threads').select('hidden_at').where('id', '=', thread.id).executeTakeFirstOrThrow()).hidden_at instanceof Date, true);
});

t.test('20 members flagging at once hide the post exactly once, with one queue item and one notice', async (t) => {
  const f = await testApp(t, { poolSize: 10 });
  const { thread, author, replies } = await threadWithReplies(f, 1);
  const before = await replyCount(f, thread.id);
  const agents = await Promise.all(Array.from({ length: 20 }, async () => f.signIn(await f.make.member({ rank: 1 }))));
  await Promise.all(agents.map((a) => a.get(`/p/${replies[0]}/flag`)));
  const results = await Promise.all(agents.map((a) => a.submit(`/p/${replies[0]}/flags`, { reason: 'offensive' })));
  t.same(results.map((r) => r.statusCode), Array(20).fill(303), 'every flag is taken');
  t.match(await state(f, replies[0]), { hidden_reason: 'flags', flag_score: 40 });
  t.equal((await f.db.selectFrom('flags').select('id').where('post_id', '=', replies[0]).execute()).length, 20);
  t.equal((await f.db.selectFrom('queue_items').select('id').where('post_id', '=', replies[0]).execute()).length, 1, 'one queue item');
  t.equal((await notices(f, author.id, 'post_hidden')).length, 1, 'one notice to the author');
  t.equal(await replyCount(f, thread.id), before - 1, 'the reply count moves once');
});

t.test('members may raise 20 flags a day (more by rank); moderators are not counted', async (t) => {
  const f = await testApp(t);
  const { replies } = await threadWithReplies(f, 23);
  const member = await f.make.member({ rank: 1 });
  const yesterday = new Date(Date.now() - 25 * 3600_000);
  await f.db
    .insertInto('flags')
    .values(replies.slice(0, 20).map((post_id, i) => ({ post_id, user_id: member.id, reason: 'spam' as const, weight: 2, created_at: i === 0 ? yesterday : new Date() })))
    .execute();
  const agent = await f.signIn(member);
  t.equal((await flag(agent, replies[20], { reason: 'spam' })).statusCode, 303, 'the 20th flag of the last day');
  const res = await flag(agent, replies[21], { reason: 'spam' });
  t.equal(res.statusCode, 429, 'the 21st is refused');
  t.match(res.page().messages().join(' '), /20 flags in the last day/);
  const contributor = await f.make.member({ rank: 2 });
  await f.db
    .insertInto('flags')
    .values(replies.slice(0, 21).map((post_id) => ({ post_id, user_id: contributor.id, reason: 'spam' as const, weight: 3 })))
    .execute();
  t.equal((await flag(await f.signIn(contributor), replies[21], { reason: 'spam' })).statusCode, 303, 'a contributor may raise 30');
});

t.test('a rejected flag never shows a post the flagger may not see, and a guest gets no flag form', async (t) => {
  const f = await testApp(t);
  const author = await f.make.member({ rank: 1 });
  const thread = await f.make.thread({ by: author, title: 'Secret launch plans here', body: 'Hidden first post words', replies: 2 });
  const posts = await f.db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', thread.id).orderBy('post_number').execute();
  const [first, hiddenReply, publicReply] = posts.map((p) => p.id);
  await f.db.updateTable('posts').set({ raw: 'Hidden reply words', cooked: '<p>Hidden reply words</p>' }).where('id', '=', hiddenReply).execute();
  // A moderator hides the reply; flags hide the first post, and its thread with it.
  await f.db.updateTable('posts').set({ hidden_at: new Date(), hidden_reason: 'moderator' }).where('id', '=', hiddenReply).execute();
  await f.db.updateTable('posts').set({ hidden_at: new Date(), hidden_reason: 'flags' }).where('id', '=', first).execute();
  await f.db.updateTable('threads').set({ hidden_at: new Date() }).where('id', '=', thread.id).execute();
  const leaks = (body: string) => /Hidden (reply|first post) words|Secret launch plans/.test(body);

  const member = await f.signIn(await f.make.member({ rank: 2 }));
  await member.get('/');
  for (const postId of [first, hiddenReply]) {
    t.equal((await member.get(`/p/${postId}/flag`)).statusCode, 404, `the form of hidden post ${postId} is not there`);
    await member.get('/');
    for (const fields of [{ reason: 'boring' }, { reason: 'other', note: '' }, { reason: 'x'.repeat(50) }] as Record<string, string>[]) {
      const res = await member.submit(`/p/${postId}/flags`, fields);
      t.equal(res.statusCode, 404, `a rejected flag (${fields.reason.slice(0, 10)}) on hidden post ${postId} is not found`);
      t.notOk(leaks(res.body), 'nothing of the post or its thread');
      t.notOk(res.page().querySelector('form.flag-form'), 'no flag form');
    }
  }

  t.equal((await member.get(`/p/${publicReply}/flag`)).statusCode, 404, 'nor that of a public reply in the hidden thread');
  await member.get('/');
  t.equal((await member.submit(`/p/${publicReply}/flags`, { reason: 'boring' })).statusCode, 404);

  const guest = f.make.guest();
  await guest.get('/login');
  for (const postId of [first, hiddenReply, publicReply]) {
    const res = await guest.submit(`/p/${postId}/flags`, { reason: 'boring' });
    t.equal(res.statusCode, 401, `a guest is asked to sign in (post ${postId})`);
    t.notOk(leaks(res.body), 'nothing of a hidden post');
    t.notOk(res.page().querySelector('form.flag-form'), 'and no flag form');
    t.notOk(res.page().querySelector('.flag-quote'), 'nor a quote of the post');
  }

  // Those who may see the post still get the form back with their input and the error.
  const own = await f.signIn(author);
  await own.get('/');
  const refused = await own.submit(`/p/${hiddenReply}/flags`, { reason: 'spam' });
  t.equal(refused.statusCode, 403, 'the author may not flag their own hidden post');
  t.ok(refused.page().querySelector('form.flag-form'), 'but sees the form with the reason');
  const moderator = await f.signIn(await f.make.member({ role: 'moderator' }));
  await moderator.get('/');
  const bad = await moderator.submit(`/p/${hiddenReply}/flags`, { reason: 'other', note: '' });
  t.equal(bad.statusCode, 422, 'a moderator sees hidden posts');
  t.ok(bad.page().fieldErrors().note);
  // A member whose form had expired gets it back as themselves, their note kept.
  const open = await threadWithReplies(f, 1);
  await member.get(`/p/${open.replies[0]}/flag`);
  const expired = await member.submit(`/p/${open.replies[0]}/flags`, { reason: 'other', note: 'Copied text' }, { csrf: false });
  t.equal(expired.statusCode, 403);
  t.same(expired.page().querySelectorAll('input[name=reason]').map((i) => i.getAttribute('value')), ['spam', 'offensive', 'off_topic', 'other']);
  t.equal(expired.page().querySelector('textarea[name=note]')?.text, 'Copied text');
  t.equal((await f.db.selectFrom('flags').select('id').execute()).length, 0, 'nothing written');
});

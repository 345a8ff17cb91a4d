import t from 'tap';
import { raiseFlag } from '../../server/moderation/flags/queries.ts';
import { openAppealItem, openPostItem } from '../../server/moderation/items.ts';
import type { FlagReason } from '../../server/db/schema.ts';
import { createReply } from '../../server/threads/queries.ts';
import type { Agent } from '../helpers/agent.ts';
import { testApp, type Member } from '../helpers/app.ts';

type Fixture = Awaited<ReturnType<typeof testApp>>;

/** A community with a thread of replies, a few flaggers and two moderators. */
async function community(t: Parameters<typeof testApp>[0], replies = 4) {
  const f = await testApp(t, { poolSize: 10 });
  const author = await f.make.member({ username: 'writer', rank: 1 });
  const thread = await f.make.thread({ by: author, replies, title: 'Gardening tools we love' });
  const posts = await f.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).orderBy('post_number').execute();
  const flaggers = await Promise.all([2, 2, 1].map((rank, i) => f.make.member({ rank, username: `flagger${i + 1}` })));
  const alice = await f.make.member({ role: 'moderator', username: 'alice' });
  const bob = await f.make.member({ role: 'moderator', username: 'bob' });
  return { ...f, author, thread, first: posts[0].id, replies: posts.slice(1).map((p) => p.id), flaggers, alice, bob };
}

type Community = Awaited<ReturnType<typeof community>>;

const asViewer = (m: Member) => ({ id: m.id, username: m.username, role: m.role, rank: m.rank });

async function flagged(c: Community, postId: number, by: Member[], reason: FlagReason = 'offensive', note = '') {
  for (const m of by) await raiseFlag(c.db, { postId, flagger: asViewer(m), reason, note, at: new Date() });
  return itemOf(c, postId);
}

/** A newcomer's reply held for approval, with its queue item. */
async function heldReply(c: Community, body = 'Hello everyone, first post here') {
  const newcomer = await c.make.member({ rank: 0 });
  const post = await createReply(c.db, {
    threadId: c.thread.id, userId: newcomer.id, body, hold: 'newcomer',
    onWritten: (tx, postId) => openPostItem(tx, { kind: 'approval', postId, detail: 'A newcomer\'s first post' }).then(() => {}),
  });
  return { newcomer, postId: post.id, item: await itemOf(c, post.id) };
}

const itemOf = async (c: Fixture, postId: number) =>
  (await c.db.selectFrom('queue_items').select('id').where('post_id', '=', postId).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
const item = (c: Fixture, id: number) => c.db.selectFrom('queue_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const post = (c: Fixture, id: number) =>
  c.db.selectFrom('posts').select(['raw', 'deleted_at', 'hidden_at', 'hidden_reason', 'pending_at', 'flag_score', 'edit_count']).where('id', '=', id).executeTakeFirstOrThrow();
const replyCount = async (c: Community) =>
  (await c.db.selectFrom('threads').select('reply_count').where('id', '=', c.thread.id).executeTakeFirstOrThrow()).reply_count;
const noticesOf = (c: Fixture, userId: number) =>
  c.db.selectFrom('notifications').select(['kind', 'message', 'post_id']).where('user_id', '=', userId).where('kind', 'not in', ['mention', 'reply', 'watching']).orderBy('id').execute();
const log = (c: Fixture) => c.db.selectFrom('staff_log').selectAll().orderBy('id').execute();

/** A moderator's browser on the queue page, ready to submit its forms. */
async function moderator(c: Fixture, m: Member): Promise<Agent> {
  const agent = await c.signIn(m);
  await agent.get('/mod');
  return agent;
}

t.test('members get 403 on every /mod route, guests are sent to sign in, forged requests are refused', async (t) => {
  const c = await community(t);
  const id = await flagged(c, c.replies[0], [c.flaggers[0]]);
  const guest = c.make.guest();
  const res = await guest.get('/mod');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login?next=%2Fmod');
  await guest.get('/');
  t.equal((await guest.submit(`/mod/items/${id}`, { action: 'hide' })).statusCode, 401);

  const member = await c.signIn(await c.make.member({ rank: 4 }));
  const home = await member.page('/');
  t.notOk(home.querySelector('a[href="/mod"]'), 'no queue link for members');
  for (const path of ['/mod', '/mod?status=resolved', `/mod/items/${id}`]) t.equal((await member.get(path)).statusCode, 403, `GET ${path}`);
  await member.get('/');
  for (const path of [`/mod/items/${id}`, `/mod/items/${id}/claim`, `/mod/items/${id}/unclaim`]) {
    const r = await member.submit(path, { action: 'hide' });
    t.equal(r.statusCode, 403, `POST ${path}`);
    t.notMatch(r.body, /Gardening tools/, 'and learns nothing of the item');
  }

  const alice = await moderator(c, c.alice);
  for (const path of [`/mod/items/${id}`, `/mod/items/${id}/claim`]) {
    t.equal((await alice.submit(path, { action: 'hide' }, { csrf: false })).statusCode, 403, `${path} without a CSRF token`);
    t.equal((await alice.submit(path, { _csrf: 'forged', action: 'hide' }, { csrf: false })).statusCode, 403, `${path} with a forged one`);
  }
  t.match(await item(c, id), { status: 'open', claimed_by: null }, 'nothing happened');
  t.equal((await post(c, c.replies[0])).hidden_at, null);
  // A post in a staff-only category is for those who may read it.
  const staffRoom = await c.make.category({ slug: 'staff-room', name: 'Staff room' });
  await c.db.updateTable('categories').set({ read_role: 'staff' }).where('id', '=', staffRoom.id).execute();
  const { createThread } = await import('../../server/threads/queries.ts');
  const inside = await createThread(c.db, { categoryId: staffRoom.id, userId: c.author.id, title: 'Roadmap for next year', body: 'Secret roadmap' });
  const hiddenItem = await flagged(c, inside.postId, [c.flaggers[0]]);
  const queuePage = await alice.get('/mod');
  t.notMatch(queuePage.body, /Secret roadmap/, 'a moderator does not see items from a category they may not read');
  const counted = queuePage.page().querySelector('#queue-count')?.text;
  t.equal(counted, String(await openItemsReadableBy(c, ['member', 'moderator'])), 'nor counts them in the navigation');
  t.equal((await alice.get(`/mod/items/${hiddenItem}`)).statusCode, 404);
  t.equal((await alice.submit(`/mod/items/${hiddenItem}`, { action: 'delete' })).statusCode, 404);
  t.match(await item(c, hiddenItem), { status: 'open' });
  const admin = await c.signIn(await c.make.member({ role: 'admin' }));
  const adminQueue = await admin.get('/mod');
  t.match(adminQueue.body, /Secret roadmap/, 'an admin does');
  t.equal(adminQueue.page().querySelector('#queue-count')?.text, String(Number(counted) + 1), 'and counts it');
});

t.test('the queue shows each post once with its flags grouped, in context, and the count in the navigation', async (t) => {
  const c = await community(t);
  await c.db.insertInto('sanctions').values({ user_id: c.author.id, kind: 'warn', reason: 'Heated words last spring', starts_at: new Date('2026-01-10'), created_by: c.alice.id }).execute();
  // An earlier flag on another of the author's posts, upheld.
  const earlier = await flagged(c, c.replies[1], [c.flaggers[2]], 'spam');
  await (await moderator(c, c.alice)).submit(`/mod/items/${earlier}`, { action: 'delete' });

  const id = await flagged(c, c.replies[0], [c.flaggers[0]], 'offensive', 'Name-calling <b>here</b>');
  await flagged(c, c.replies[0], [c.flaggers[1]], 'other', 'Also rude to staff');
  const held = await heldReply(c);

  const page = await (await c.signIn(c.alice)).page('/mod');
  t.equal(page.h1(), 'Review queue');
  t.equal(page.querySelector('#queue-count')?.text, '2', 'the navigation counts open items for moderators');
  const items = page.querySelectorAll('article.queue-item');
  t.same(items.map((i) => Number(i.getAttribute('data-item-id'))), [id, held.item], 'one item per post, oldest first');
  const it = page.querySelector(`#item-${id}`)!;
  t.same(it.querySelectorAll('.queue-flag').map((f) => f.getAttribute('data-reason')), ['offensive', 'other'], 'its flags grouped');
  const flagText = it.querySelectorAll('.queue-flag').map((f) => f.text.replace(/\s+/g, ' ').trim());
  t.match(flagText[0], /Offensive from flagger1 \(Contributor, weight 3\): Name-calling <b>here<\/b>/, 'who, why, the note (inert) and the weight');
  t.notOk(it.querySelector('.queue-flag b'), 'a note is text, never markup');
  t.match(it.querySelector('.queue-subhead')?.text, /2 flags · score 6 of 8/);
  t.equal(it.querySelector('h2 a[href^="/t/"]')?.text, 'Gardening tools we love', 'the thread, linked');
  t.equal(it.querySelector('.post-body')?.text.trim(), 'Reply 1', 'the post itself');
  t.match(it.querySelector('.post-meta')?.text.replace(/\s+/g, ' '), /writer Member/, 'its author and rank');
  t.match(it.querySelector('.queue-member')?.text.replace(/\s+/g, ' '), /1 flagged post reviewed, 1 upheld/, 'the author\'s record of flags');
  t.match(it.querySelector('.queue-sanctions')?.text, /warn on 10 Jan 2026: Heated words last spring/, 'and sanctions');
  t.same(it.querySelectorAll('.queue-buttons button').map((b) => b.getAttribute('value')), ['approve', 'hide', 'delete', 'dismiss']);
  t.ok(it.querySelector('.queue-edit textarea[name=body]'), 'edit and approve, with the body');
  t.equal(it.querySelector('.queue-edit textarea')?.text, 'Reply 1');

  const pending = page.querySelector(`#item-${held.item}`)!;
  t.match(pending.querySelector('.queue-kind')?.text, 'Awaiting approval');
  t.match(pending.querySelector('.queue-detail')?.text, 'A newcomer\'s first post');
  t.same(pending.querySelectorAll('.queue-buttons button').map((b) => b.getAttribute('value')), ['approve', 'reject'], 'no dismiss for a held post');

  const one = await (await c.signIn(c.bob)).page(`/mod/items/${id}`);
  t.same(one.querySelectorAll('article.queue-item').map((i) => i.getAttribute('id')), [`item-${id}`], 'an item alone on its page');
});

t.test('approve and reject a held post: counters, notices, the log', async (t) => {
  const c = await community(t);
  const alice = await moderator(c, c.alice);
  const before = await replyCount(c);
  const a = await heldReply(c, 'A first post worth approving');
  let res = await alice.submit(`/mod/items/${a.item}`, { action: 'approve', note: '' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/mod');
  t.same((await alice.page('/mod')).messages().filter(Boolean), ['Approved.']);
  t.match(await post(c, a.postId), { pending_at: null, deleted_at: null });
  t.equal(await replyCount(c), before + 1, 'an approved reply enters the count');
  t.match(await item(c, a.item), { status: 'resolved', resolution: 'approve', resolved_by: c.alice.id });
  t.match(await noticesOf(c, a.newcomer.id), [{ kind: 'post_approved', message: /approved your post in “Gardening tools we love”/ }]);

  const b = await heldReply(c, 'Buy cheap watches');
  await alice.get('/mod');
  res = await alice.submit(`/mod/items/${b.item}`, { action: 'reject', note: 'Advertising' });
  t.equal(res.statusCode, 303);
  t.ok((await post(c, b.postId)).deleted_at, 'a rejected post is deleted');
  t.equal(await replyCount(c), before + 1, 'and never counted');
  t.match(await noticesOf(c, b.newcomer.id), [{ kind: 'post_rejected', message: /did not approve.*Advertising/, post_id: null }]);

  const c3 = await heldReply(c, 'Draft with a typo');
  await alice.get('/mod');
  res = await alice.submit(`/mod/items/${c3.item}`, { action: 'dismiss' });
  t.equal(res.statusCode, 422, 'dismiss is not offered for a held post');
  t.match(await item(c, c3.item), { status: 'open' });
  res = await alice.submit(`/mod/items/${c3.item}`, { action: 'edit_approve', body: '   ' });
  t.equal(res.statusCode, 422, 'an empty edit');
  t.equal(res.page().querySelector(`#edit-error-${c3.item}`)?.text, 'Write something before posting.', 'the error beside the body');
  t.equal(res.page().querySelector(`#edit-body-${c3.item}`)?.text, '   ', 'the text kept');
  t.match(await post(c, c3.postId), { raw: 'Draft with a typo', pending_at: Date }, 'nothing written');
  res = await alice.submit(`/mod/items/${c3.item}`, { action: 'edit_approve', body: 'Draft without a typo', note: 'Fixed a typo' });
  t.equal(res.statusCode, 303);
  t.match(await post(c, c3.postId), { raw: 'Draft without a typo', pending_at: null, edit_count: 1 });
  const revisions = await c.db.selectFrom('post_revisions').select('raw').where('post_id', '=', c3.postId).execute();
  t.same(revisions, [{ raw: 'Draft with a typo' }], 'the text before the edit is kept');
  t.equal(await replyCount(c), before + 2);

  const lines = await log(c);
  t.same(lines.map((l) => l.action), ['queue.approve', 'queue.reject', 'queue.edit_approve']);
  t.match(lines[1], { actor_id: c.alice.id, target_type: 'post', target_id: b.postId, reason: 'Advertising', before: { state: 'pending' }, after: { state: 'deleted' } });
  t.match(lines[2], { before: { body: 'Draft with a typo' }, after: { body: 'Draft without a typo', state: 'public' } });
});

t.test('hide, delete, dismiss and approve on flagged posts: the post, the counters, flaggers and authors', async (t) => {
  const c = await community(t);
  const alice = await moderator(c, c.alice);
  const [f1, f2, f3] = c.flaggers;
  const start = await replyCount(c);

  // hide: a published post with two flags.
  let id = await flagged(c, c.replies[0], [f1, f3]);
  await alice.submit(`/mod/items/${id}`, { action: 'hide', note: 'Keep it civil' });
  t.match(await post(c, c.replies[0]), { hidden_reason: 'moderator', flag_score: 0 });
  t.equal(await replyCount(c), start - 1);
  t.match(await noticesOf(c, c.author.id), [{ kind: 'post_hidden', message: /A moderator hid your post.*may edit it.*Keep it civil/ }]);
  const flags = await c.db.selectFrom('flags').select(['outcome', 'resolved_at']).where('post_id', '=', c.replies[0]).execute();
  t.same(flags.map((f) => f.outcome), ['agreed', 'agreed'], 'its flags are agreed');
  t.match(await noticesOf(c, f1.id), [{ kind: 'flag_outcome', message: /agreed and acted on it/, post_id: null }]);

  // delete: hidden by flags first (three rank-2 and rank-1 flags reach 8).
  id = await flagged(c, c.replies[1], [f1, f2, f3]);
  t.equal((await post(c, c.replies[1])).hidden_reason, 'flags');
  t.equal(await replyCount(c), start - 2);
  await alice.submit(`/mod/items/${id}`, { action: 'delete', note: 'Spam link' });
  t.ok((await post(c, c.replies[1])).deleted_at);
  t.equal(await replyCount(c), start - 2, 'deleting a hidden reply does not count it out twice');
  t.match((await noticesOf(c, c.author.id)).at(-1), { kind: 'post_deleted', message: /deleted your post.*Spam link/ });

  // dismiss: hidden by flags, shown again.
  id = await flagged(c, c.replies[2], [f1, f2, f3]);
  t.equal(await replyCount(c), start - 3);
  await alice.submit(`/mod/items/${id}`, { action: 'dismiss' });
  t.match(await post(c, c.replies[2]), { hidden_at: null, flag_score: 0 });
  t.equal(await replyCount(c), start - 2, 'a dismissed post counts again');
  t.match((await noticesOf(c, f2.id)).at(-1), { kind: 'flag_outcome', message: /decided it can stay/, post_id: c.replies[2] });
  t.match((await noticesOf(c, c.author.id)).at(-1), { kind: 'post_approved', message: /restored it/ });

  // approve: a published post with a flag stays, its flag disagreed; the author hears nothing.
  id = await flagged(c, c.replies[3], [f2]);
  const told = (await noticesOf(c, c.author.id)).length;
  await alice.submit(`/mod/items/${id}`, { action: 'approve' });
  t.match(await post(c, c.replies[3]), { hidden_at: null, deleted_at: null, flag_score: 0 });
  t.equal((await noticesOf(c, c.author.id)).length, told);

  const record = async (m: Member) =>
    c.db.selectFrom('users').select(['flags_agreed', 'flags_disagreed']).where('id', '=', m.id).executeTakeFirstOrThrow();
  t.same(await Promise.all([f1, f2, f3].map(record)), [
    { flags_agreed: 2, flags_disagreed: 1 }, { flags_agreed: 1, flags_disagreed: 2 }, { flags_agreed: 2, flags_disagreed: 1 },
  ], 'each flagger\'s record');
  t.same((await log(c)).map((l) => l.action), ['queue.hide', 'queue.delete', 'queue.dismiss', 'queue.approve']);
  t.equal(await c.db.selectFrom('queue_items').select('id').where('status', '=', 'open').execute().then((r) => r.length), 0);

  // A flag after a resolution opens a new item, and the score starts again from nothing.
  await flagged(c, c.replies[3], [f1]);
  t.equal((await post(c, c.replies[3])).flag_score, 3);
  t.equal((await c.db.selectFrom('queue_items').select('id').where('post_id', '=', c.replies[3]).execute()).length, 2);
});

t.test('two moderators resolving one item at once: one wins, the other is told who', async (t) => {
  const c = await community(t);
  const id = await flagged(c, c.replies[0], [c.flaggers[0]]);
  const [alice, bob] = await Promise.all([moderator(c, c.alice), moderator(c, c.bob)]);
  const results = await Promise.all([
    alice.submit(`/mod/items/${id}`, { action: 'hide' }),
    bob.submit(`/mod/items/${id}`, { action: 'delete' }),
  ]);
  t.same(results.map((r) => r.statusCode).sort(), [303, 409]);
  const lost = results.find((r) => r.statusCode === 409)!;
  const row = await item(c, id);
  const winner = row.resolved_by === c.alice.id ? 'alice' : 'bob';
  t.match(lost.page().messages().join(' '), new RegExp(`already resolved by ${winner}`), 'the loser is told who');
  t.equal((await log(c)).length, 1, 'one action, one log line');
  t.equal((await noticesOf(c, c.author.id)).length, 1, 'one notice to the author');
  t.equal((await c.db.selectFrom('users').select('flags_agreed').where('id', '=', c.flaggers[0].id).executeTakeFirstOrThrow()).flags_agreed, 1);
});

t.test('a claim keeps other moderators off an item', async (t) => {
  const c = await community(t);
  const id = await flagged(c, c.replies[0], [c.flaggers[0]]);
  const [alice, bob] = await Promise.all([moderator(c, c.alice), moderator(c, c.bob)]);
  let res = await alice.submit(`/mod/items/${id}/claim`, { back: '/mod' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/mod#item-${id}`);
  t.match(await item(c, id), { claimed_by: c.alice.id });

  const seen = await bob.page('/mod');
  t.match(seen.querySelector(`#item-${id} .queue-claimed`)?.text, /Claimed by alice/);
  t.equal(seen.querySelectorAll(`#item-${id} .queue-buttons button`).length, 0, 'no actions for the others');
  res = await bob.submit(`/mod/items/${id}`, { action: 'delete' });
  t.equal(res.statusCode, 409);
  t.match(res.page().messages().join(' '), /alice has claimed this item/);
  t.equal((await bob.submit(`/mod/items/${id}/claim`)).statusCode, 409);
  res = await bob.submit(`/mod/items/${id}/claim`, {}, { htmx: true });
  t.match(res.page().querySelector('[role=alert]')?.text, /alice has claimed this item/, 'with htmx the item says so in place');
  t.match(await item(c, id), { status: 'open', claimed_by: c.alice.id });

  res = await alice.submit(`/mod/items/${id}/unclaim`, {}, { htmx: true });
  t.equal(res.statusCode, 200);
  t.ok(res.page().querySelector(`#item-${id} form[action="/mod/items/${id}/claim"]`), 'released, the item can be claimed again');
  t.equal((await bob.submit(`/mod/items/${id}`, { action: 'delete' })).statusCode, 303, 'now bob may act');
});

t.test('filters: type, reason, category, status', async (t) => {
  const c = await community(t);
  const other = await c.make.category({ slug: 'elsewhere', name: 'Elsewhere' });
  const { createThread } = await import('../../server/threads/queries.ts');
  const away = await createThread(c.db, { categoryId: other.id, userId: c.author.id, title: 'A thread elsewhere', body: 'Elsewhere post' });
  const spam = await flagged(c, c.replies[0], [c.flaggers[2]], 'spam');
  const rude = await flagged(c, c.replies[1], [c.flaggers[2]], 'offensive');
  const far = await flagged(c, away.postId, [c.flaggers[2]], 'off_topic');
  const held = await heldReply(c);
  const done = await flagged(c, c.replies[2], [c.flaggers[2]], 'spam');
  const alice = await moderator(c, c.alice);
  await alice.submit(`/mod/items/${done}`, { action: 'dismiss' });

  const ids = async (query: string) => (await alice.page(`/mod${query}`)).querySelectorAll('article.queue-item').map((i) => Number(i.getAttribute('data-item-id')));
  t.same(await ids(''), [spam, rude, far, held.item], 'open items by default');
  t.same(await ids('?kind=approval'), [held.item], 'by type');
  t.same(await ids('?kind=flag'), [spam, rude, far]);
  t.same(await ids('?reason=spam'), [spam], 'by reason');
  t.same(await ids('?category=elsewhere'), [far], 'by category');
  t.same(await ids('?status=resolved'), [done], 'resolved ones');
  t.same(await ids('?status=resolved&reason=spam'), [done], 'a resolved item keeps its flags');
  t.same(await ids('?status=resolved&reason=offensive'), []);
  const page = await alice.page('/mod?reason=offensive');
  t.equal(page.querySelector('select[name=reason] option[selected]')?.getAttribute('value'), 'offensive', 'the filter stays chosen');
  const resolved = await alice.page('/mod?status=resolved');
  t.match(resolved.querySelector('.queue-resolution')?.text, /Dismiss flags.*by alice/);
  t.equal(resolved.querySelectorAll('.queue-buttons button').length, 0, 'no actions on resolved items');
  t.equal((await alice.get('/mod?kind=nonsense')).statusCode, 422);
});

t.test('with htmx an action answers the next open item in place, then "all done"', async (t) => {
  const c = await community(t);
  const ids = [];
  for (const id of c.replies.slice(0, 3)) ids.push(await flagged(c, id, [c.flaggers[2]], 'spam'));
  const alice = await moderator(c, c.alice);
  // The screen shows the first two; resolving the first brings the third.
  let res = await alice.submit(`/mod/items/${ids[0]}`, [['action', 'dismiss'], ['back', '/mod'], ['shown', String(ids[0])], ['shown', String(ids[1])]], { htmx: true });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<html/);
  let fragment = res.page();
  t.same(fragment.querySelectorAll('article.queue-item').map((i) => Number(i.getAttribute('data-item-id'))), [ids[2]], 'the next item not on screen');
  t.equal(fragment.querySelector('#queue-status')?.getAttribute('hx-swap-oob'), 'true');
  t.equal(fragment.querySelector('#queue-status')?.text, 'Flags dismissed.');
  t.equal(fragment.querySelector('#queue-count')?.text, '2', 'the count in the navigation, out of band');
  t.equal(fragment.querySelector(`#item-${ids[2]} form.queue-actions`)?.getAttribute('hx-include'), '[name=shown]');
  t.equal(fragment.querySelector(`#item-${ids[2]} input[name=back]`)?.getAttribute('value'), '/mod', 'its forms return to the same queue');

  res = await alice.submit(`/mod/items/${ids[1]}`, [['action', 'delete'], ['back', '/mod'], ['shown', String(ids[1])], ['shown', String(ids[2])]], { htmx: true });
  fragment = res.page();
  t.equal(fragment.querySelectorAll('article.queue-item').length, 0, 'nothing new: the last open item is already on screen');
  t.notOk(fragment.querySelector('#queue-all-done'));
  res = await alice.submit(`/mod/items/${ids[2]}`, [['action', 'hide'], ['back', '/mod'], ['shown', String(ids[2])]], { htmx: true });
  t.ok(res.page().querySelector('#queue-all-done'), 'all done');
  t.equal(res.page().querySelector('#queue-count')?.text, '');

  // A refused action with htmx shows the item again, saying why.
  res = await alice.submit(`/mod/items/${ids[0]}`, [['action', 'hide'], ['back', '/mod']], { htmx: true });
  t.equal(res.statusCode, 200);
  t.match(res.page().querySelector(`#item-${ids[0]} [role=alert]`)?.text, /already resolved by you/);

  // The queue filtered by reason brings the next item of that reason only.
  const a = await flagged(c, c.replies[3], [c.flaggers[2]], 'spam');
  await flagged(c, c.first, [c.flaggers[2]], 'offensive');
  const b = await heldReply(c);
  res = await alice.submit(`/mod/items/${a}`, [['action', 'approve'], ['back', '/mod?kind=approval'], ['shown', String(a)]], { htmx: true });
  t.same(res.page().querySelectorAll('article.queue-item').map((i) => Number(i.getAttribute('data-item-id'))), [b.item]);
});

t.test('appeals appear in the queue with the sanction they contest', async (t) => {
  const c = await community(t);
  const sanction = await c.db
    .insertInto('sanctions')
    .values({ user_id: c.author.id, kind: 'silence', reason: 'Repeated insults', starts_at: new Date(), ends_at: new Date(Date.now() + 7 * 86400_000), created_by: c.alice.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const appeal = await c.db
    .insertInto('appeals')
    .values({ sanction_id: sanction.id, user_id: c.author.id, body: 'I apologised in the thread.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id } = await openAppealItem(c.db, appeal.id);
  const page = await (await c.signIn(c.bob)).page('/mod?kind=appeal');
  const it = page.querySelector(`#item-${id}`)!;
  t.ok(it, 'the appeal is an item');
  t.match(it.text.replace(/\s+/g, ' '), /I apologised in the thread\./, 'with what the member says');
  t.match(it.text, /Repeated insults/, 'and the sanction');
  t.same(it.querySelectorAll('.queue-buttons button').map((b) => b.getAttribute('value')), ['uphold', 'lift']);

  const bob = await moderator(c, c.bob);
  t.equal((await bob.submit(`/mod/items/${id}`, { action: 'hide' })).statusCode, 422, 'post actions do not apply to an appeal');
  const res = await bob.submit(`/mod/items/${id}`, { action: 'lift', note: 'Fair enough' });
  t.equal(res.statusCode, 303);
  t.match(await item(c, id), { status: 'resolved', resolution: 'lift', resolved_by: c.bob.id });
  t.ok((await c.db.selectFrom('sanctions').select('lifted_at').where('id', '=', sanction.id).executeTakeFirstOrThrow()).lifted_at, 'the sanction is lifted');
  t.match(await noticesOf(c, c.author.id), [{ kind: 'appeal_outcome' }], 'the member is told');
  t.same((await log(c)).map((l) => l.action), ['appeal.lift'], 'one line in the staff log');
});

/** Open queue items outside categories closed to these roles, counted directly. */
async function openItemsReadableBy(c: { db: import('../../server/db/index.ts').Db }, roles: string[]) {
  const rows = await c.db
    .selectFrom('queue_items as q')
    .leftJoin('categories as qc', 'qc.id', 'q.category_id')
    .select(['q.id', 'qc.read_role'])
    .where('q.status', '=', 'open')
    .execute();
  return rows.filter((r) => r.read_role === null || roles.includes(r.read_role)).length;
}

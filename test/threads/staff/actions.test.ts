import t, { type Test } from 'tap';
import { parseCloseAfter, parsePostList, parseSlowMinutes } from '../../../server/threads/staff/rules.ts';
import { slowModeWait } from '../../../server/permissions.ts';
import { waitText } from '../../../server/text/moments.ts';
import { createReply, createThread } from '../../../server/threads/queries.ts';
import { moderationSetup } from '../../helpers/moderation.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

t.test('thread action rules, by table', async (t) => {
  const now = new Date('2026-03-01T12:00:00Z');
  const closes: [string, string | null][] = [
    ['0', '2026-03-01T12:00:00.000Z'],
    ['24', '2026-03-02T12:00:00.000Z'],
    ['1.5', '2026-03-01T13:30:00.000Z'],
    ['2026-03-05T14:30', '2026-03-05T14:30:00.000Z'],
    ['2026-03-05', '2026-03-05T00:00:00.000Z'],
    ['2026-02-01', null],
    ['99999', null],
    ['tomorrow', null],
    ['-3', null],
  ];
  for (const [raw, expected] of closes) {
    const r = parseCloseAfter(raw, now);
    t.equal('at' in r ? r.at.toISOString() : null, expected, `close after ${raw}`);
  }
  t.same(parsePostList('4, 7-9 p123'), { numbers: [4, 7, 8, 9], ids: [123] });
  t.same(parsePostList('#4,#5'), { numbers: [4, 5], ids: [] });
  for (const bad of ['', 'four', '9-7', '1-100000', 'p']) t.ok('error' in parsePostList(bad), `"${bad}" is refused`);
  t.same(parseSlowMinutes('0'), { seconds: 0 });
  t.same(parseSlowMinutes('15'), { seconds: 900 });
  for (const bad of ['-1', '10081', 'ten', '']) t.ok('error' in parseSlowMinutes(bad), `"${bad}" minutes is refused`);
  const waits: [Date | null, number, Date, number][] = [
    [null, 600, now, 0],
    [new Date(now.getTime() - 60_000), 600, now, 540],
    [new Date(now.getTime() - 600_000), 600, now, 0],
    [new Date(now.getTime() - 1), 0, now, 0],
  ];
  for (const [last, seconds, at, expected] of waits) t.equal(slowModeWait(last, seconds, at), expected);
  t.same([30, 60, 540, 3600, 5400, 7200, 86400, 259200].map(waitText), [
    '30 seconds', '1 minute', '9 minutes', '60 minutes', '90 minutes', '2 hours', '24 hours', '3 days',
  ]);
});

async function setup(t: Test) {
  const env = await moderationSetup(t);
  const { moderator, member, mod, advance } = env;
  const reader = await env.signIn(member);
  const category = await env.make.category({ name: 'Help', slug: 'help' });
  const other = await env.make.category({ name: 'Ideas', slug: 'ideas' });
  /** A thread with replies, each a minute apart on the clock. */
  async function thread(title: string, replies = 0, categoryId = category.id) {
    const created = await createThread(env.db, { categoryId, userId: member.id, title, body: `${title}: the first post.`, at: advance(MINUTE) });
    const posts = [created.postId];
    for (let i = 0; i < replies; i++) {
      const r = await createReply(env.db, { threadId: created.id, userId: moderator.id, body: `${title}: reply ${i + 1}`, at: advance(MINUTE) });
      posts.push(r.id);
    }
    return { ...created, posts };
  }
  async function act(path: string, fields: Record<string, string> = {}) {
    await mod.page('/');
    return mod.submit(path, fields);
  }
  const row = (id: number) => env.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const count = async (id: number) => (await env.db.selectFrom('categories').select('thread_count').where('id', '=', id).executeTakeFirstOrThrow()).thread_count;
  const log = (action: string) => env.db.selectFrom('staff_log').selectAll().where('action', '=', action).orderBy('id').execute();
  return { ...env, reader, category, other, thread, act, row, count, log };
}

t.test('close after a time: replies stop when the clock passes it, the thread says "closed", reopening lets them in', async (t) => {
  const { reader, mod, thread, act, advance, row, log } = await setup(t);
  const th = await thread('Launch day questions', 1);
  const url = `/t/${th.id}/${th.slug}`;
  const res = await act(`/t/${th.id}/close`, { after: '2' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, url);
  t.ok((await row(th.id)).closes_at);
  let page = await reader.page(`${url}?page=1`);
  t.ok(page.querySelector('.thread-closes'), 'the closing time is shown');
  t.ok(page.querySelector('form.reply-form'));
  advance(MINUTE);
  t.equal((await reader.submit(`/t/${th.id}/replies`, { body: 'Before it closes.' })).statusCode, 303);

  advance(2 * HOUR);
  page = await reader.page(`${url}?page=1`);
  t.match(page.querySelector('.thread-closed')?.text ?? '', /closed/);
  t.equal(page.querySelector('form.reply-form'), null, 'no reply form');
  const refused = await reader.submit(`/t/${th.id}/replies`, { body: 'Too late?' });
  t.equal(refused.statusCode, 409);
  t.match(refused.page().messages().join(' '), /closed/);
  await mod.page(`${url}?page=1`);
  t.equal((await mod.submit(`/t/${th.id}/replies`, { body: 'A last word from the team.' })).statusCode, 303, 'moderators still may');

  t.equal((await act(`/t/${th.id}/reopen`)).statusCode, 303);
  t.equal((await row(th.id)).closes_at, null);
  await reader.page(`${url}?page=1`);
  advance(MINUTE);
  t.equal((await reader.submit(`/t/${th.id}/replies`, { body: 'Open again.' })).statusCode, 303);
  t.equal((await act(`/t/${th.id}/reopen`)).statusCode, 409, 'reopening an open thread is refused');

  const closes = await log('thread.close');
  t.equal(closes.length, 1);
  t.same(closes[0].before, { closes_at: null });
  t.ok((closes[0].after as { closes_at: string }).closes_at);
  const reopens = await log('thread.reopen');
  t.equal(reopens.length, 1);
  t.same(reopens[0].after, { closes_at: null });

  const bad = await act(`/t/${th.id}/close`, { after: 'whenever' });
  t.equal(bad.statusCode, 422);
  t.ok(bad.page().fieldErrors().after, 'the error beside the field');
  t.equal(bad.page().querySelector('input[name=after]')?.getAttribute('value'), 'whenever', 'the input kept');
  t.equal((await act(`/t/${th.id}/close`, { after: '0' })).statusCode, 303, 'closes now');
  t.equal((await log('thread.close')).length, 2);
});

t.test('unlisting keeps a thread out of lists, search and feeds; its address still opens it', async (t) => {
  const { make, thread, act, log, count, category } = await setup(t);
  const th = await thread('Quarterly roadmap zebrafish', 1);
  await thread('Another thread here', 0);
  const guest = make.guest();
  const listed = async () => ({
    home: (await guest.page('/')).querySelectorAll('.thread-title').some((a) => a.text === 'Quarterly roadmap zebrafish'),
    category: (await guest.page('/c/help')).querySelectorAll('.thread-title').some((a) => a.text === 'Quarterly roadmap zebrafish'),
    search: (await guest.page('/search?q=zebrafish')).querySelectorAll('.search-result').length > 0,
    feed: (await guest.get('/latest.rss')).body.includes('zebrafish'),
    categoryFeed: (await guest.get('/c/help.rss')).body.includes('zebrafish'),
  });
  t.same(await listed(), { home: true, category: true, search: true, feed: true, categoryFeed: true });
  const before = await count(category.id);

  t.equal((await act(`/t/${th.id}/unlist`)).statusCode, 303);
  t.same(await listed(), { home: false, category: false, search: false, feed: false, categoryFeed: false });
  const page = await guest.get(`/t/${th.id}/${th.slug}`);
  t.equal(page.statusCode, 200, 'reachable by its address');
  t.equal(page.page().h1(), 'Quarterly roadmap zebrafish');
  t.equal(await count(category.id), before, 'still counted: it is public, only unlisted');
  t.equal((await act(`/t/${th.id}/unlist`)).statusCode, 303, 'unlisting twice changes nothing');

  t.equal((await act(`/t/${th.id}/relist`)).statusCode, 303);
  t.same(await listed(), { home: true, category: true, search: true, feed: true, categoryFeed: true });
  t.same((await log('thread.unlist')).length, 1, 'logged once');
  t.same((await log('thread.relist')).length, 1);
  t.equal((await log('thread.unlist'))[0].target_id, th.id);
});

t.test('moving a thread keeps both categories\' counts right', async (t) => {
  const { db, make, thread, act, log, count, category, other, row } = await setup(t);
  const th = await thread('Wrong place for this', 2);
  t.same([await count(category.id), await count(other.id)], [1, 0]);
  let res = await act(`/t/${th.id}/move`, { category: 'ideas' });
  t.equal(res.statusCode, 303);
  t.same([await count(category.id), await count(other.id)], [0, 1]);
  t.equal((await row(th.id)).category_id, other.id);
  t.ok((await make.guest().page('/c/ideas')).querySelectorAll('.thread-title').some((a) => a.text === 'Wrong place for this'));

  res = await act(`/t/${th.id}/move`, { category: String(category.id) });
  t.equal(res.statusCode, 303, 'by id too');
  t.same([await count(category.id), await count(other.id)], [1, 0]);
  res = await act(`/t/${th.id}/move`, { category: 'nowhere' });
  t.equal(res.statusCode, 422);
  t.ok(res.page().fieldErrors().category);
  t.equal((await act(`/t/${th.id}/move`, { category: 'help' })).statusCode, 409, 'already there');

  // A hidden thread is not counted anywhere, before or after.
  await db.updateTable('threads').set({ hidden_at: new Date() }).where('id', '=', th.id).execute();
  await db.updateTable('categories').set((eb) => ({ thread_count: eb('thread_count', '-', 1) })).where('id', '=', category.id).execute();
  t.equal((await act(`/t/${th.id}/move`, { category: 'ideas' })).statusCode, 303);
  t.same([await count(category.id), await count(other.id)], [0, 0]);

  const moves = await log('thread.move');
  t.equal(moves.length, 3);
  t.same([moves[0].before, moves[0].after], [{ category: 'help' }, { category: 'ideas' }]);
});

t.test('merging: the posts follow the target\'s last, renumbered; counters right; the old address redirects', async (t) => {
  const { db, make, reader, thread, act, log, count, category, other, row, member } = await setup(t);
  const target = await thread('Pricing for teams', 2, category.id);
  const source = await thread('Team pricing?', 2, other.id);
  // A deleted reply in the target: its number is never reused.
  const gone = await createReply(db, { threadId: target.id, userId: member.id, body: 'Deleted later', at: new Date() });
  await db.updateTable('posts').set({ deleted_at: new Date() }).where('id', '=', gone.id).execute();
  await reader.page(`/t/${source.id}/${source.slug}?page=1`);
  await reader.page(`/t/${target.id}/${target.slug}?page=1`);

  const res = await act(`/t/${source.id}/merge`, { into: `/t/${target.id}/${target.slug}` });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/t/${target.id}/${target.slug}`);
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', target.id).orderBy('post_number').execute();
  t.same(posts.map((p) => p.post_number), [1, 2, 3, 4, 5, 6, 7]);
  t.same(posts.slice(5).map((p) => p.id), source.posts.slice(1), 'in their order, after the last number');
  t.equal(posts[4].id, source.posts[0], 'the first post of the source becomes a reply');
  const t2 = await row(target.id);
  t.equal(t2.last_post_number, 7);
  t.equal(t2.reply_count, 2 + 3, 'public replies: two of its own and the three that came');
  const lastSourcePost = await db.selectFrom('posts').select(['created_at', 'user_id']).where('id', '=', source.posts[2]).executeTakeFirstOrThrow();
  t.same([t2.last_post_at, t2.last_post_user_id], [lastSourcePost.created_at, lastSourcePost.user_id]);
  const s2 = await row(source.id);
  t.equal(s2.merged_into, target.id);
  t.ok(s2.deleted_at);
  t.same([await count(category.id), await count(other.id)], [1, 0], 'the source no longer counts');
  t.equal((await db.selectFrom('thread_reads').select('last_read_post_number').where('user_id', '=', member.id).where('thread_id', '=', target.id).executeTakeFirstOrThrow()).last_read_post_number, 7, 'who read both has read the merged thread');

  const guest = make.guest();
  const moved = await guest.get(`/t/${source.id}/${source.slug}`);
  t.ok([301, 303].includes(moved.statusCode), 'the old address redirects');
  t.equal(moved.headers.location, `/t/${target.id}`);
  const landing = await guest.get(moved.headers.location as string);
  t.equal(landing.headers.location, `/t/${target.id}/${target.slug}`);
  const page = await guest.page(landing.headers.location as string);
  t.equal(page.querySelectorAll('article.post').length, 6, 'every public post, the merged ones included');
  t.equal((await guest.get(`/p/${source.posts[2]}`)).headers.location, `/t/${target.id}/${target.slug}?page=1#post-${source.posts[2]}`);
  t.notOk((await guest.page('/c/ideas')).querySelectorAll('.thread-title').some((a) => a.text === 'Team pricing?'), 'gone from lists');

  const entry = await log('thread.merge');
  t.equal(entry.length, 1);
  t.equal(entry[0].target_id, source.id);
  t.match(entry[0].after, { merged_into: target.id, posts: 3, from_post_number: 5 });

  t.equal((await act(`/t/${target.id}/merge`, { into: String(target.id) })).statusCode, 422, 'not into itself');
  t.equal((await act(`/t/${target.id}/merge`, { into: '99999' })).statusCode, 422, 'not into nothing');
  t.equal((await act(`/t/${target.id}/merge`, { into: String(source.id) })).statusCode, 422, 'not into a merged thread');
  t.equal((await act(`/t/${source.id}/merge`, { into: String(target.id) })).statusCode, 404, 'a merged thread is gone');
});

t.test('splitting replies into a new thread: the first becomes post 1, counters right on both', async (t) => {
  const { db, make, reader, thread, act, log, count, category, other, row, moderator } = await setup(t);
  const th = await thread('Everything about exports', 5);
  await reader.page(`/t/${th.id}/${th.slug}?page=1`);
  const res = await act(`/t/${th.id}/split`, { posts: `3, p${th.posts[5]}`, title: 'CSV export encoding', category: 'ideas' });
  t.equal(res.statusCode, 303);
  const id = Number(/^\/t\/(\d+)\//.exec(res.headers.location as string)?.[1]);
  t.ok(id);
  const created = await row(id);
  t.same([created.title, created.category_id, created.user_id, created.last_post_number, created.reply_count], ['CSV export encoding', other.id, moderator.id, 2, 1]);
  const moved = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', id).orderBy('post_number').execute();
  t.same(moved, [{ id: th.posts[2], post_number: 1 }, { id: th.posts[5], post_number: 2 }]);
  const left = await row(th.id);
  t.same([left.reply_count, left.last_post_number], [3, 6], 'the old thread keeps its numbers');
  const remaining = await db.selectFrom('posts').select('post_number').where('thread_id', '=', th.id).orderBy('post_number').execute();
  t.same(remaining.map((p) => p.post_number), [1, 2, 4, 5]);
  const fifth = await db.selectFrom('posts').select('created_at').where('id', '=', th.posts[4]).executeTakeFirstOrThrow();
  t.same(left.last_post_at, fifth.created_at, 'its last post is the last one it kept');
  t.same([await count(category.id), await count(other.id)], [1, 1]);
  const page = await make.guest().page(res.headers.location as string);
  t.equal(page.h1(), 'CSV export encoding');
  t.same(page.querySelectorAll('article.post').map((a) => Number(a.getAttribute('data-post-id'))), [th.posts[2], th.posts[5]]);
  t.equal((await db.selectFrom('thread_reads').select('last_read_post_number').where('thread_id', '=', id).executeTakeFirst())?.last_read_post_number, 2, 'read state carried over');
  const hits = (await make.guest().page('/search?q=encoding')).querySelectorAll('.search-result');
  t.ok(hits.length >= 1, 'the new thread is found by its title');

  for (const [posts, title] of [['1', 'A title here'], ['9', 'A title here'], ['2', 'Hi'], ['', 'A title here'], ['two', 'A title here']]) {
    const bad = await act(`/t/${th.id}/split`, { posts, title });
    t.equal(bad.statusCode, 422, `split "${posts}" "${title}" refused`);
    t.ok(Object.keys(bad.page().fieldErrors()).length, 'with the error beside its field');
  }
  const entry = await log('thread.split');
  t.equal(entry.length, 1);
  t.match(entry[0].after, { thread: id, title: 'CSV export encoding', category: 'ideas' });
});

t.test('slow mode: a member\'s second post within the window waits; moderators are exempt; 0 turns it off', async (t) => {
  const { reader, mod, thread, act, advance, row, log } = await setup(t);
  const th = await thread('Hot topic', 0);
  const url = `/t/${th.id}/${th.slug}?page=1`;
  t.equal((await act(`/t/${th.id}/slow-mode`, { minutes: '10' })).statusCode, 303);
  t.equal((await row(th.id)).slow_mode_seconds, 600);
  t.match((await reader.page(url)).querySelector('.slow-mode')?.text ?? '', /10 minutes/);

  // The member started the thread a minute ago: that was their post in the window.
  const early = await reader.submit(`/t/${th.id}/replies`, { body: 'First thought.' });
  t.equal(early.statusCode, 429, 'the first post counts too');
  advance(10 * MINUTE);
  await reader.page(url);
  t.equal((await reader.submit(`/t/${th.id}/replies`, { body: 'First thought.' })).statusCode, 303);
  advance(MINUTE);
  await reader.page(url);
  const slow = await reader.submit(`/t/${th.id}/replies`, { body: 'Second thought.' });
  t.equal(slow.statusCode, 429);
  t.match(slow.page().messages().join(' '), /Slow mode.*wait 9 minutes/);
  t.equal(slow.headers['retry-after'], String(9 * 60), 'Retry-After in seconds');
  await mod.page(url);
  t.equal((await mod.submit(`/t/${th.id}/replies`, { body: 'Mod note.' })).statusCode, 303);
  t.equal((await mod.submit(`/t/${th.id}/replies`, { body: 'Another mod note.' })).statusCode, 303, 'moderators are exempt');
  advance(9 * MINUTE);
  await reader.page(url);
  t.equal((await reader.submit(`/t/${th.id}/replies`, { body: 'Second thought.' })).statusCode, 303, 'after the window');

  t.equal((await act(`/t/${th.id}/slow-mode`, { minutes: '0' })).statusCode, 303);
  advance(MINUTE);
  await reader.page(url);
  t.equal((await reader.submit(`/t/${th.id}/replies`, { body: 'Third thought.' })).statusCode, 303, 'off again');
  const bad = await act(`/t/${th.id}/slow-mode`, { minutes: 'lots' });
  t.equal(bad.statusCode, 422);
  t.ok(bad.page().fieldErrors().minutes);
  const entries = await log('thread.slow_mode');
  t.same(entries.map((e) => [e.before, e.after]), [
    [{ slow_mode_seconds: 0 }, { slow_mode_seconds: 600 }],
    [{ slow_mode_seconds: 600 }, { slow_mode_seconds: 0 }],
  ]);
});

t.test('every thread action: members get 403, forged requests are refused, the forms are on the page for moderators', async (t) => {
  const { db, reader, mod, thread } = await setup(t);
  const th = await thread('Some thread', 2);
  const actions: [string, Record<string, string>][] = [
    ['close', { after: '1' }], ['reopen', {}], ['unlist', {}], ['relist', {}], ['move', { category: 'ideas' }],
    ['merge', { into: '1' }], ['split', { posts: '2', title: 'A new thread' }], ['slow-mode', { minutes: '5' }],
  ];
  await reader.page(`/t/${th.id}/${th.slug}?page=1`);
  for (const [action, fields] of actions) {
    t.equal((await reader.submit(`/t/${th.id}/${action}`, fields)).statusCode, 403, `members may not ${action}`);
  }
  const page = await mod.page(`/t/${th.id}/${th.slug}?page=1`);
  for (const action of ['close', 'unlist', 'move', 'merge', 'split', 'slow-mode']) {
    t.ok(page.querySelector(`form[action="/t/${th.id}/${action}"]`), `the ${action} form is on the page`);
  }
  t.equal((await reader.page(`/t/${th.id}/${th.slug}?page=1`)).querySelector(`form[action="/t/${th.id}/close"]`), null, 'not for members');
  for (const [action, fields] of actions) {
    t.equal((await mod.submit(`/t/${th.id}/${action}`, fields, { csrf: false })).statusCode, 403, `a forged ${action} is refused`);
  }
  const after = await db.selectFrom('threads').select(['closes_at', 'unlisted_at', 'slow_mode_seconds', 'merged_into']).where('id', '=', th.id).executeTakeFirstOrThrow();
  t.same(after, { closes_at: null, unlisted_at: null, slow_mode_seconds: 0, merged_into: null }, 'nothing changed');
  t.equal((await db.selectFrom('staff_log').select('id').execute()).length, 0, 'nothing logged');
});

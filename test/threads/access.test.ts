import t from 'tap';
import { publicPost, readablePost } from '../../server/access/posts.ts';
import { canReadCategory, canSee, canStartThread, isPublic, type Viewer } from '../../server/permissions.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

const as = (role: Viewer['role'], rank = 0): Viewer => ({ id: 1, username: 'x', role, rank });
const open = { read_role: null, read_rank: 0, post_role: 'member' as const, post_rank: 0 };

t.test('access rules', async (t) => {
  t.ok(canReadCategory(null, open));
  t.notOk(canReadCategory(null, { ...open, read_rank: 1 }), 'a rank floor closes a category to guests');
  t.notOk(canReadCategory(as('member', 1), { ...open, read_rank: 2 }));
  t.ok(canReadCategory(as('member', 2), { ...open, read_rank: 2 }));
  t.ok(canReadCategory(as('moderator', 0), { ...open, read_rank: 3 }), 'moderators are not held back by rank');
  t.notOk(canReadCategory(as('moderator', 4), { ...open, read_role: 'staff' }), 'but are by role');
  t.ok(canReadCategory(as('admin'), { ...open, read_role: 'staff' }));
  t.notOk(canStartThread(null, open));
  t.ok(canStartThread(as('member'), open));
  t.notOk(canStartThread(as('member', 4), { ...open, post_role: 'staff' }), 'announcements: staff only');
  t.ok(canStartThread(as('staff'), { ...open, post_role: 'staff' }));
  t.notOk(canStartThread(as('member', 1), { ...open, post_rank: 2 }));
});

t.test('who sees a post: canSee and isPublic say what the SQL of lists says (readablePost, publicPost)', async (t) => {
  const { make, db } = await testApp(t);
  const author = await make.member();
  const other = await make.member();
  const moderator = await make.member({ role: 'moderator' });
  const thread = await make.thread({ by: author, replies: 5 });
  const replies = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '>', 1).orderBy('post_number').execute();
  const at = new Date();
  const states = {
    public: {},
    hidden: { hidden_at: at, hidden_reason: 'flags' as const },
    pending: { pending_at: at, pending_reason: 'newcomer' as const },
    deleted: { deleted_at: at },
    'hidden and pending': { hidden_at: at, hidden_reason: 'moderator' as const, pending_at: at, pending_reason: 'watched_word' as const },
  };
  const ids = new Map<string, number>();
  for (const [[state, set], { id }] of Object.entries(states).map((e, i) => [e, replies[i]] as const)) {
    if (Object.keys(set).length) await db.updateTable('posts').set(set).where('id', '=', id).execute();
    ids.set(state, id);
  }
  const rows = await db.selectFrom('posts').select(['id', 'user_id', 'deleted_at', 'hidden_at', 'pending_at']).where('id', 'in', [...ids.values()]).execute();
  const found = async (where: Parameters<typeof readablePost>[0] | 'public') => {
    const q = db.selectFrom('posts as p').select('p.id').where('p.id', 'in', [...ids.values()]);
    return new Set((await (where === 'public' ? q.where(publicPost) : q.where(readablePost(where))).execute()).map((r) => r.id));
  };
  const publicIds = await found('public');
  for (const row of rows) t.equal(isPublic(row), publicIds.has(row.id), `isPublic and publicPost agree on a post ${[...ids].find(([, id]) => id === row.id)![0]}`);
  t.same([...publicIds], [ids.get('public')], 'only the public post is public');
  const expected: [string, Viewer | null, string[]][] = [
    ['a guest', null, ['public']],
    ['another member', { ...other }, ['public']],
    ['the author', { ...author }, ['public', 'hidden', 'pending', 'hidden and pending']],
    ['a moderator', { ...moderator }, Object.keys(states)],
  ];
  for (const [who, viewer, sees] of expected) {
    const seen = rows.filter((r) => canSee(viewer, r)).map((r) => [...ids].find(([, id]) => id === r.id)![0]);
    t.same(seen.sort(), [...sees].sort(), `canSee: what ${who} sees`);
    // Moderators' pages read every post (withDeleted), without readablePost.
    if (who !== 'a moderator') {
      const inSql = await found(viewer);
      t.same(rows.filter((r) => inSql.has(r.id)).length, seen.length, `readablePost shows ${who} the same posts`);
      for (const r of rows) t.equal(inSql.has(r.id), canSee(viewer, r));
    }
  }
});

t.test('a staff-only category: hidden from members and guests everywhere, open to staff', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const secret = await db
    .insertInto('categories')
    .values({ name: 'Staff room', slug: 'staff-room', read_role: 'staff', post_role: 'staff' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const staff = await make.member({ role: 'staff', username: 'staffer' });
  const member = await make.member({ username: 'plain_member', rank: 4 });
  const thread = await createThread(db, { categoryId: secret.id, userId: staff.id, title: 'Launch plan zebra', body: 'Confidential zebra @plain_member' });
  const reply = await createReply(db, { threadId: thread.id, userId: staff.id, body: 'More zebra' });
  await db.insertInto('thread_tags').values({ thread_id: thread.id, tag_id: (await db.insertInto('tags').values({ name: 'launch' }).returning('id').executeTakeFirstOrThrow()).id }).execute();
  t.equal((await db.selectFrom('notifications').select('id').execute()).length, 0, 'a mention does not reach a member who may not read it');

  const guest = make.guest();
  const m = await signIn(member);
  for (const [who, agent] of [['guest', guest], ['member', m]] as const) {
    const home = await agent.page('/');
    t.notMatch(home.text, /Launch plan|Staff room/, `${who}: not on the home page`);
    const expected = who === 'guest' ? 401 : 403;
    t.equal((await agent.get('/c/staff-room')).statusCode, expected, `${who}: category page`);
    t.equal((await agent.get(`/t/${thread.id}/${thread.slug}`)).statusCode, expected, `${who}: thread page`);
    t.equal((await agent.get(`/p/${reply.id}`)).statusCode, expected, `${who}: /p/:id`);
    t.notMatch((await agent.page('/search?q=zebra')).text, /Launch plan|Confidential/, `${who}: not in search`);
    t.notMatch((await agent.page('/tag/launch')).text, /Launch plan/, `${who}: not on the tag page`);
    t.notMatch((await agent.page('/u/staffer')).text, /Launch plan/, `${who}: not on the author's profile`);
  }
  t.notMatch((await guest.get('/latest.rss')).body, /Launch plan/, 'not in the feed');
  t.equal((await guest.get('/c/staff-room.rss')).statusCode, 404);
  t.notMatch((await guest.get('/sitemap.xml')).body, /staff-room|launch-plan/, 'not in the sitemap');
  const refused = await guest.get('/c/staff-room');
  t.ok(refused.page().querySelector('a[href="/login?next=/c/staff-room"]'), 'guests are offered to sign in');

  await m.get('/');
  t.equal((await m.submit(`/t/${thread.id}/replies`, { body: 'Let me in' })).statusCode, 403);
  t.equal((await m.submit(`/p/${reply.id}/like`)).statusCode, 403);
  t.equal((await m.get('/c/staff-room/new')).statusCode, 403);

  const s = await signIn(staff);
  t.match((await s.page('/')).text, /Launch plan zebra/);
  t.equal((await s.get(`/t/${thread.id}/${thread.slug}`)).statusCode, 200);
  t.match((await s.page('/search?q=zebra')).text, /Launch plan/);
});

t.test('who may start threads: an announcements category for staff; a rank floor for members', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await db.insertInto('categories').values({ name: 'News', slug: 'news', post_role: 'staff' }).execute();
  await db.insertInto('categories').values({ name: 'Advanced', slug: 'advanced', post_rank: 2 }).execute();
  const member = await signIn(await make.member({ rank: 1 }));
  let page = await member.page('/c/news');
  t.equal(page.querySelector('a[href="/c/news/new"]'), null, 'no New thread button');
  t.equal((await member.get('/c/news/new')).statusCode, 403);
  await member.get('/c/news');
  t.equal((await member.submit('/c/news/threads', { title: 'Sneaky announcement', body: 'x' })).statusCode, 403);
  t.equal((await member.get('/c/advanced/new')).statusCode, 403, 'rank 1 is below the floor');
  const contributor = await signIn(await make.member({ rank: 2 }));
  t.equal((await contributor.get('/c/advanced/new')).statusCode, 200);
  const staff = await signIn(await make.member({ role: 'staff' }));
  page = await staff.page('/c/news');
  t.ok(page.querySelector('a[href="/c/news/new"]'));
  const res = await staff.submit('/c/news/threads', { title: 'Version 2 is out', body: 'Enjoy.' });
  t.equal(res.statusCode, 303);
});

t.test('admins set access when creating a category; bad values are refused', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await signIn(await make.member({ role: 'admin' }));
  await admin.get('/admin');
  let res = await admin.submit('/admin/categories', { name: 'Insiders', slug: '', description: '', color: '#123456', read_role: 'member', read_rank: '3', post_role: 'member', post_rank: '3', position: '7' });
  t.equal(res.statusCode, 303);
  const row = await db.selectFrom('categories').select(['read_role', 'read_rank', 'post_role', 'post_rank', 'position']).where('slug', '=', 'insiders').executeTakeFirstOrThrow();
  t.same(row, { read_role: 'member', read_rank: 3, post_role: 'member', post_rank: 3, position: 7 });
  res = await admin.submit('/admin/categories', { name: 'Odd', slug: 'odd', description: '', color: '#123456', read_role: 'emperor', read_rank: '9', post_role: 'member', post_rank: '0' });
  t.equal(res.statusCode, 422);
  t.equal(res.page().values().name, 'Odd');
});

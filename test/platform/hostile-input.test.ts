// Input no one sends by accident: null bytes, numbers and dates PostgreSQL cannot hold, ids out
// of range. Each is answered 4xx with a message (never a 500), and nothing is written; a form
// refused for a null byte comes back with the member's text kept and the error beside the field.
import t from 'tap';
import { openPostItem } from '../../server/moderation/items.ts';
import { createThread } from '../../server/threads/queries.ts';
import { threadUrl } from '../../server/addresses.ts';
import type { Agent } from '../helpers/agent.ts';
import { testApp } from '../helpers/app.ts';

const NULL_BYTE = /Null bytes are not allowed/;

t.test('hostile addresses answer 4xx with a message, never 500', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const category = await make.category({ slug: 'hostile' });
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: 'A thread to poke at', body: 'First post.', tags: ['poked'] });
  const url = threadUrl(thread);
  const moderator = await make.member({ role: 'moderator' });

  const browsers: Record<'guest' | 'member' | 'moderator', Agent> = {
    guest: make.guest(),
    member: await signIn(await make.member()),
    moderator: await signIn(moderator),
  };
  const cursor = (at: string, id: string) => `?before=${encodeURIComponent(`${at}_${id}`)}`;
  // [who asks, the address, the answer]
  const table: [keyof typeof browsers, string, number][] = [
    // A null byte anywhere in the address, whatever the route.
    ['guest', '/u/%00', 400],
    ['member', '/u/a%00b', 400],
    ['guest', '/search?q=%00', 400],
    ['member', '/search?q=gardening&author=%00', 400],
    ['guest', '/c/%00', 400],
    ['guest', `/c/${category.slug}?before=%00`, 400],
    ['guest', '/tag/%00', 400],
    ['member', `/t/${thread.id}/%00`, 400],
    ['guest', '/login?next=%00', 400],
    ['moderator', '/mod/log?actor=%00', 400],
    ['moderator', '/mod?category=%00', 400],
    ['moderator', '/u/%00/sanction', 400],
    // Category and tag cursors: an id past what a row id can be, a date PostgreSQL cannot hold,
    // a date no list reaches (before 1970, after 9999), or no cursor at all.
    ['guest', `/c/${category.slug}${cursor('2020-01-01T00:00:00.000Z', '99999999999999999999')}`, 404],
    ['member', `/c/${category.slug}${cursor('2020-01-01T00:00:00.000Z', '9007199254740992')}`, 404],
    ['guest', `/c/${category.slug}${cursor('-271821-04-20T00:00:00.000Z', '1')}`, 404],
    ['guest', `/c/${category.slug}${cursor('+275760-09-13T00:00:00.000Z', '1')}`, 404],
    ['guest', `/c/${category.slug}${cursor('1969-12-31T23:59:59.000Z', '1')}`, 404],
    ['member', `/c/${category.slug}?before=yesterday`, 404],
    ['guest', `/tag/poked${cursor('2020-01-01T00:00:00.000Z', '99999999999999999999')}`, 404],
    ['member', `/tag/poked${cursor('-271821-04-20T00:00:00.000Z', '1')}`, 404],
    // Ids in paths: past 2^53 - 1, negative, zero, not whole.
    ['guest', '/t/99999999999999999999', 404],
    ['guest', '/t/9223372036854775808', 404],
    ['member', '/t/9007199254740992', 404],
    ['guest', '/t/-1', 404],
    ['guest', '/t/0', 404],
    ['guest', '/t/1.5', 404],
    ['guest', '/p/1e30', 404],
    ['member', '/p/-1', 404],
    ['member', '/p/99999999999999999999/edit', 404],
    ['moderator', '/mod/items/99999999999999999999', 404],
    ['moderator', '/mod/items/1e30', 404],
    // Numbers in queries: a page past an int4, a quoted post or a queue cursor past a row id.
    ['guest', `${url}?page=2147483648`, 422],
    ['member', `${url}?page=99999999999999999999`, 422],
    ['member', `${url}?quote=99999999999999999999`, 422],
    ['member', `${url}?quote=-1`, 422],
    ['moderator', '/mod?after=99999999999999999999', 422],
    ['moderator', '/mod?after=9007199254740992', 422],
    ['moderator', '/mod?after=-1', 422],
    ['moderator', '/mod/log?before=99999999999999999999', 422],
    ['guest', '/search?q=x&from=-271821-01-01', 422],
  ];
  for (const [who, address, expected] of table) {
    const res = await browsers[who].get(address);
    t.equal(res.statusCode, expected, `${who} ${address}: ${expected}`);
    t.ok(res.page().messages().join(' ').trim(), `${address} says why`);
    if (expected === 400) t.match(res.page().messages().join(' '), NULL_BYTE);
  }
  // The queue's cursor says which field was wrong.
  t.match((await browsers.moderator.get('/mod?after=99999999999999999999')).page().messages().join(' '), /after/);
  // The category's real next page still works.
  t.equal((await browsers.guest.get(`/c/${category.slug}${cursor(new Date().toISOString(), String(thread.id))}`)).statusCode, 200);
});

t.test('hostile forms answer 4xx, never 500, and write nothing', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const category = await make.category({ slug: 'forms' });
  const thread = await createThread(db, {
    categoryId: category.id, userId: author.id, title: 'A poll to poke at', body: 'Vote, please.',
    poll: { question: 'Which?', options: ['One', 'Two'], multiple: false, closesAt: null },
  });
  const url = threadUrl(thread);
  const poll = await db.selectFrom('polls').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const firstPost = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const item = await db.transaction().execute((tx) => openPostItem(tx, { kind: 'approval', postId: firstPost.id, detail: 'To look at' }));
  const member = await signIn(await make.member());
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const guest = make.guest();
  const posts = async () => (await db.selectFrom('posts').select('id').execute()).length;
  const before = await posts();

  const table: [Agent, string, [string, string][], number][] = [
    // A malformed or too large id in a form's address: no such page, and no form to draw again.
    [member, '/t/99999999999999999999/replies', [['body', 'A reply to nowhere']], 404],
    [member, '/t/abc/replies', [['body', 'A reply to nowhere']], 404],
    [member, '/p/99999999999999999999/edit', [['body', 'An edit of nothing']], 404],
    [member, '/p/abc/flags', [['reason', 'spam']], 404],
    [moderator, '/mod/items/99999999999999999999', [['action', 'dismiss']], 404],
    // A null byte in the address or in any field.
    [member, '/c/%00/threads', [['title', 'A new thread'], ['body', 'Its first post']], 400],
    [member, `/c/${category.slug}/threads`, [['title', 'A new\u0000thread'], ['body', 'Its first post']], 400],
    [moderator, '/u/%00/sanction', [['kind', 'warn'], ['reason', 'Because']], 400],
    [guest, '/login', [['login', 'someone\u0000'], ['password', 'a long enough password']], 400],
    [guest, '/register', [['username', 'new\u0000comer'], ['email', 'new@example.test'], ['password', 'a long enough password']], 400],
    [member, `/t/${thread.id}/replies`, [['body', 'Fine text'], ['extra\u0000', 'x']], 400],
    // Numbers past a row id in a form's fields.
    [member, `/polls/${poll.id}/vote`, [['option', '99999999999999999999']], 422],
    [moderator, `/mod/items/${item.id}`, [['action', 'dismiss'], ['shown', '99999999999999999999']], 422],
    [moderator, `/mod/items/${item.id}/claim`, [['shown', '9007199254740992']], 422],
  ];
  for (const [agent, action, fields, expected] of table) {
    await agent.get(agent === guest ? '/login' : url);
    const res = await agent.submit(action, fields);
    t.equal(res.statusCode, expected, `${action} ${JSON.stringify(fields)}: ${expected}`);
    t.ok(res.page().messages().join(' ').trim(), `${action} says why`);
  }
  t.equal(await posts(), before, 'no post written');
  t.equal((await db.selectFrom('users').select('id').where('username', 'like', 'new%').execute()).length, 0, 'no account made');
});

t.test('a reply with a null byte comes back on the thread with its text kept and the error beside it', async (t) => {
  const { app, make, signIn, db } = await testApp(t);
  const thread = await make.thread({ title: 'Where the reply lands' });
  const url = threadUrl(thread);
  const member = await signIn(await make.member());
  await member.get(url);
  const res = await member.submit(`/t/${thread.id}/replies`, { body: 'My long reply,\u0000 written with care' });
  t.equal(res.statusCode, 400);
  const page = res.page();
  t.equal(page.h1(), 'Where the reply lands', 'the thread again');
  t.match(page.messages().join(' '), NULL_BYTE);
  t.match(page.fieldErrors().body, /null byte/i, 'the error beside the reply field');
  // The null byte shows as the replacement character, so the member sees where it was.
  t.equal(page.values('form.reply-form').body, 'My long reply,\uFFFD written with care', 'the text kept');
  t.equal((await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute()).length, 1, 'nothing posted');

  // Sent again as shown, it is taken.
  const again = await member.submit(`/t/${thread.id}/replies`, { body: page.values('form.reply-form').body });
  t.equal(again.statusCode, 303);

  // The same from a script sending JSON.
  await member.get(url);
  const cookie = [...member.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  const json = await app.inject({
    method: 'POST',
    url: `/t/${thread.id}/replies`,
    headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': member.csrfToken },
    payload: JSON.stringify({ body: 'Sent by a script\u0000' }),
  });
  t.equal(json.statusCode, 400, 'a JSON body with a null byte');
  t.equal((await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute()).length, 2, 'only the reply sent again');
});

import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('a member starts a thread through the form and replies to it', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  await make.category({ name: 'General', slug: 'general' });
  const member = await make.member();
  const agent = await signIn(member);
  const form = await agent.page('/c/general/new');
  t.equal(form.h1(), 'New thread in General');
  const res = await agent.submit('/c/general/threads', { title: 'My very first thread', body: 'Hello **everyone**', kind: 'discussion' });
  t.equal(res.statusCode, 303);
  const page = await agent.page(res.headers.location as string);
  t.equal(page.h1(), 'My very first thread');
  t.equal(page.querySelector('article.post .post-body strong')?.text, 'everyone');

  const threadId = Number(/\/t\/(\d+)\//.exec(res.headers.location as string)![1]);
  clock.advance(10); // members wait a few seconds between two posts
  const replied = await agent.submit(`/t/${threadId}/replies`, { body: 'A reply of mine' });
  t.equal(replied.statusCode, 303);
  t.match(replied.headers.location, new RegExp(`^/t/${threadId}/my-very-first-thread\\?page=1#post-\\d+$`));
  const after = await agent.page(`/t/${threadId}/my-very-first-thread`);
  t.equal(after.querySelectorAll('article.post').length, 2);
  const row = await db.selectFrom('threads').select(['reply_count', 'last_post_user_id']).where('id', '=', threadId).executeTakeFirstOrThrow();
  t.same(row, { reply_count: 1, last_post_user_id: member.id });
});

t.test('with htmx a reply answers the new post as a fragment', async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const agent = await signIn(await make.member());
  await agent.page(`/t/${thread.id}/${thread.slug}`);
  const res = await agent.submit(`/t/${thread.id}/replies`, { body: 'Inline *reply*' }, { htmx: true });
  t.equal(res.statusCode, 200);
  const post = res.page().querySelector('article.post');
  t.ok(post?.getAttribute('data-post-id'));
  t.equal(post?.querySelector('.post-body em')?.text, 'reply');
  t.notMatch(res.body, /<html/, 'a fragment, not a page');
});

t.test('bad thread input: each error beside its field, input kept, nothing written', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await make.category({ slug: 'general' });
  const agent = await signIn(await make.member());
  await agent.page('/c/general/new');
  const cases: [Record<string, string>, string][] = [
    [{ title: 'Hi', body: 'A body' }, 'title'],
    [{ title: 'x'.repeat(201), body: 'A body' }, 'title'],
    [{ title: 'A fine title', body: '   ' }, 'body'],
    [{ title: 'A fine title', body: 'y'.repeat(50001) }, 'body'],
    [{ title: 'A fine title', body: 'A body', kind: 'announcement' }, 'kind'],
  ];
  for (const [input, field] of cases) {
    const res = await agent.submit('/c/general/threads', input);
    t.equal(res.statusCode, 422, `${field}: ${JSON.stringify(input).slice(0, 60)}`);
    if (field === 'kind') t.match(res.page().messages().join(' '), /kind of thread/);
    else t.ok(res.page().fieldErrors()[field], `the ${field} error is shown`);
    t.equal(res.page().querySelector('#field-body')?.text, input.body, 'the body is kept');
  }
  t.equal((await db.selectFrom('threads').select('id').execute()).length, 0);
  t.equal((await agent.get('/c/nowhere/new')).statusCode, 404);
});

t.test('an empty reply comes back on the thread page with the message; guests cannot reply', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread();
  const agent = await signIn(await make.member());
  await agent.page(`/t/${thread.id}/${thread.slug}`);
  const res = await agent.submit(`/t/${thread.id}/replies`, { body: ' \n ' });
  t.equal(res.statusCode, 422);
  t.equal(res.page().h1(), 'A thread to talk about');
  t.match(res.page().fieldErrors().body, /Write something/);

  const guest = make.guest();
  await guest.get(`/t/${thread.id}/${thread.slug}`);
  const refused = await guest.submit(`/t/${thread.id}/replies`, { body: 'Sneaky' });
  t.equal(refused.statusCode, 401);
  t.equal((await guest.get('/c/x/new')).statusCode, 303, 'the new-thread form asks guests to sign in');
  const count = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute();
  t.equal(count.length, 1);
});

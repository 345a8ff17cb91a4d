import t from 'tap';
import { createReply } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

async function firstPost(db: import('../../server/db/index.ts').Db, threadId: number) {
  return db.selectFrom('posts').select(['id']).where('thread_id', '=', threadId).where('post_number', '=', 1).executeTakeFirstOrThrow();
}

t.test('the author edits a post; the edit is marked and earlier versions are kept for author and staff', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, title: 'Original title here', body: 'First version' });
  const post = await firstPost(db, thread.id);
  const agent = await signIn(author);

  const form = await agent.page(`/p/${post.id}/edit`);
  t.equal(form.values().body ?? form.querySelector('#field-body')?.text, 'First version');
  t.equal(form.querySelector('#field-body')?.text, 'First version', 'the form holds the current text');
  const res = await agent.submit(`/p/${post.id}/edit`, { title: 'Better title here', body: 'Second **version**' });
  t.equal(res.statusCode, 303);

  const page = await agent.page(`/t/${thread.id}/better-title-here`);
  t.equal(page.h1(), 'Better title here');
  t.equal(page.querySelector('.post-body strong')?.text, 'version');
  t.equal(page.querySelector('.post .edited')?.getAttribute('href'), `/p/${post.id}/revisions`);
  t.equal((await agent.get(`/t/${thread.id}/original-title-here`)).statusCode, 301, 'the old slug redirects');

  const history = await agent.page(`/p/${post.id}/revisions`);
  t.match(history.text, 'First version');
  t.match(history.text, 'Original title here');

  const other = await signIn(await make.member());
  t.equal((await other.get(`/p/${post.id}/revisions`)).statusCode, 403, 'other members do not see earlier versions');
  const otherView = await other.page(`/t/${thread.id}/better-title-here`);
  t.equal(otherView.querySelector('.post .edited')?.tagName, 'SPAN', 'they see only the marker');
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  t.equal((await moderator.get(`/p/${post.id}/revisions`)).statusCode, 200, 'moderators do');
});

t.test('only the author or a moderator may edit; bad input is refused with the text kept', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, body: 'Mine' });
  const post = await firstPost(db, thread.id);

  const stranger = await signIn(await make.member());
  t.equal((await stranger.get(`/p/${post.id}/edit`)).statusCode, 403);
  await stranger.get('/');
  t.equal((await stranger.submit(`/p/${post.id}/edit`, { body: 'Hijacked' })).statusCode, 403);

  const agent = await signIn(author);
  await agent.get(`/p/${post.id}/edit`);
  const res = await agent.submit(`/p/${post.id}/edit`, { title: 'Hey', body: 'Kept text' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().title, /5 to 200/);
  t.equal(res.page().querySelector('#field-body')?.text, 'Kept text');
  const row = await db.selectFrom('posts').select(['raw', 'edit_count']).where('id', '=', post.id).executeTakeFirstOrThrow();
  t.same(row, { raw: 'Mine', edit_count: 0 }, 'nothing written');

  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get(`/p/${post.id}/edit`);
  t.equal((await moderator.submit(`/p/${post.id}/edit`, { title: 'A thread to talk about', body: 'Tidied by a moderator' })).statusCode, 303);
  const revision = await db.selectFrom('post_revisions').select(['raw', 'edited_by']).where('post_id', '=', post.id).executeTakeFirstOrThrow();
  t.same(revision, { raw: 'Mine', edited_by: (await db.selectFrom('users').select('id').where('role', '=', 'moderator').executeTakeFirstOrThrow()).id });
});

t.test('an author deletes a reply: members no longer see it, staff still do, counts stay exact', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ replies: 0 });
  const reply = await createReply(db, { threadId: thread.id, userId: author.id, body: 'Regrettable reply' });
  const agent = await signIn(author);
  const confirm = await agent.page(`/p/${reply.id}/delete`);
  t.match(confirm.h1(), /Delete this reply/);
  const res = await agent.submit(`/p/${reply.id}/delete`);
  t.equal(res.statusCode, 303);

  const guestView = await make.guest().page(`/t/${thread.id}/${thread.slug}`);
  t.equal(guestView.querySelectorAll('article.post').length, 1);
  t.notMatch(guestView.text, /Regrettable/);
  t.equal((await make.guest().get(`/p/${reply.id}/revisions`)).statusCode, 303, 'guests are asked to sign in');

  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const staffView = await moderator.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(staffView.querySelectorAll('article.post').length, 2);
  t.ok(staffView.querySelector(`#post-${reply.id}.post-deleted`), 'marked as deleted');

  const row = await db.selectFrom('threads').select(['reply_count', 'last_post_number']).where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.same(row, { reply_count: 0, last_post_number: 2 });
  const next = await createReply(db, { threadId: thread.id, userId: author.id, body: 'A better reply' });
  t.equal(next.post_number, 3, 'the deleted number is not reused');
  await agent.get('/');
  t.equal((await agent.submit(`/p/${reply.id}/delete`)).statusCode, 404, 'deleting twice: gone for the author');
});

t.test('deleting the first post deletes the thread; replying to it is refused', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  const post = await firstPost(db, thread.id);
  const agent = await signIn(author);
  await agent.get(`/p/${post.id}/delete`);
  const res = await agent.submit(`/p/${post.id}/delete`);
  t.equal(res.headers.location, '/');
  t.equal((await make.guest().get(`/t/${thread.id}/${thread.slug}`)).statusCode, 404);
  t.notMatch((await make.guest().page('/')).text, /A thread to talk about/);

  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const staffView = await moderator.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(staffView.h1(), 'A thread to talk about', 'staff still see the deleted thread');
  t.equal(staffView.querySelector('form.reply-form'), null, 'without a reply form');
  const refused = await moderator.submit(`/t/${thread.id}/replies`, { body: 'Too late' });
  t.equal(refused.statusCode, 409);
  t.match(refused.page().messages().join(' '), /deleted/);
});

t.test('a silenced member may not edit their posts (editing is posting); a moderator may still edit theirs', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, title: 'Our favourite trails', body: 'Before the silence' });
  const post = await firstPost(db, thread.id);
  const reply = await createReply(db, { threadId: thread.id, userId: author.id, body: 'A reply before the silence' });
  const agent = await signIn(author);
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get(`/u/${author.username}/sanction`);
  t.equal((await moderator.submit(`/u/${author.username}/sanction`, { kind: 'silence', days: '1', reason: 'Rude replies.' })).statusCode, 303);

  for (const id of [post.id, reply.id]) {
    const form = await agent.get(`/p/${id}/edit`);
    t.equal(form.statusCode, 403, 'the edit form is refused');
    t.match(form.page().messages().join(' '), /You are silenced until .* UTC: you may read, but not post\. Reason: Rude replies\./, 'with the reply path\'s words');
    t.notOk(form.page().querySelector(`form[action="/p/${id}/edit"]`));
  }
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  const refused = await agent.submit(`/p/${reply.id}/edit`, { body: 'Rewritten while silenced' });
  t.equal(refused.statusCode, 403, 'so is saving an edit');
  t.match(refused.page().messages().join(' '), /You are silenced until .* UTC: you may read, but not post\. Reason: Rude replies\./);
  t.equal(refused.page().querySelector('#field-body')?.text, 'Rewritten while silenced', 'the text is kept');
  const first = await agent.submit(`/p/${post.id}/edit`, { title: 'Trails, rewritten', body: 'Rewritten while silenced' });
  t.equal(first.statusCode, 403);
  t.equal(first.page().querySelector('input[name=title]')?.getAttribute('value'), 'Trails, rewritten', 'the title too');
  const rows = await db.selectFrom('posts').select(['raw', 'edit_count']).where('id', 'in', [post.id, reply.id]).orderBy('id').execute();
  t.same(rows, [{ raw: 'Before the silence', edit_count: 0 }, { raw: 'A reply before the silence', edit_count: 0 }], 'nothing written');
  t.equal((await db.selectFrom('threads').select('title').where('id', '=', thread.id).executeTakeFirstOrThrow()).title, 'Our favourite trails');

  // The author's standing is not the moderator's.
  await moderator.get(`/p/${reply.id}/edit`);
  t.equal((await moderator.submit(`/p/${reply.id}/edit`, { body: 'Tidied by a moderator' })).statusCode, 303, 'a moderator edits the silenced member\'s post');

  clock.advance(86_400 + 60);
  await agent.get(`/p/${reply.id}/edit`);
  t.equal((await agent.submit(`/p/${reply.id}/edit`, { body: 'After the silence' })).statusCode, 303, 'the silence over, the author edits again');
});

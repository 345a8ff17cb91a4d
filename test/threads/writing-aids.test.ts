import t from 'tap';
import { quoteOf } from '../../server/text/cook.ts';
import { createReply } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

t.test('a quote is markdown with a link back', async (t) => {
  t.equal(quoteOf('First line\n\nSecond **line**', 'maya', 7), '> First line\n>\n> Second **line**\n\n[— maya](/p/7)\n\n');
});

t.test('preview: as htmx follows the typing, and as a plain form button; nothing is saved', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await make.category({ slug: 'general' });
  await make.member({ username: 'maya' });
  const agent = await signIn(await make.member());
  await agent.page('/c/general/new');

  const live = await agent.submit('/preview', { title: 'Anything', body: 'Hello **bold** @maya <script>x</script>' }, { htmx: true });
  t.equal(live.statusCode, 200);
  t.equal(live.page().querySelector('strong')?.text, 'bold');
  t.equal(live.page().querySelector('a.mention')?.getAttribute('href'), '/u/maya');
  t.equal(live.page().querySelector('script'), null);
  t.notMatch(live.body, /<html/);

  const plain = await agent.submit('/c/general/threads', { title: 'Draft title here', body: 'Draft *body*', preview: '1' });
  t.equal(plain.statusCode, 200);
  t.equal(plain.page().querySelector('#preview em')?.text, 'body', 'the form comes back with its preview');
  t.equal(plain.page().values().title, 'Draft title here', 'and the input kept');
  t.equal(plain.page().querySelector('#field-body')?.text, 'Draft *body*');
  t.equal((await db.selectFrom('threads').select('id').execute()).length, 0, 'nothing saved');

  const guest = make.guest();
  await guest.get('/');
  t.equal((await guest.submit('/preview', { body: 'x' }, { htmx: true })).statusCode, 401);
});

t.test('quoting a post opens the reply form with the quote; a reply preview saves nothing', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member({ username: 'quoted_one' });
  const thread = await make.thread({ by: author, body: 'The original **words**' });
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const agent = await signIn(await make.member());
  const page = await agent.page(`/t/${thread.id}/${thread.slug}`);
  const link = page.querySelector(`#post-${first.id} .quote-link`)?.getAttribute('href');
  t.equal(link, `/t/${thread.id}/${thread.slug}?page=1&quote=${first.id}#field-body`);
  const withQuote = await agent.page(link!.replace(/#.*/, ''));
  t.equal(withQuote.querySelector('#field-body')?.text, `> The original **words**\n\n[— quoted_one](/p/${first.id})\n\n`);

  const res = await agent.submit(`/t/${thread.id}/replies`, { body: 'Draft reply *here*', preview: '1' });
  t.equal(res.statusCode, 200);
  t.equal(res.page().querySelector('#preview em')?.text, 'here');
  t.equal(res.page().querySelector('#field-body')?.text, 'Draft reply *here*');
  t.equal((await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute()).length, 1, 'nothing saved');

  const other = await make.thread();
  const foreign = await agent.page(`/t/${thread.id}/${thread.slug}?page=1&quote=${(await db.selectFrom('posts').select('id').where('thread_id', '=', other.id).executeTakeFirstOrThrow()).id}`);
  t.equal(foreign.querySelector('#field-body')?.text, '', 'only posts of this thread are quoted');
  t.equal((await make.guest().page(`/t/${thread.id}/${thread.slug}`)).querySelector('.quote-link'), null, 'guests get no quote link');
});

t.test('"Next page" is a plain link that htmx turns into load-more', async (t) => {
  const { make, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  for (let i = 0; i < 25; i++) await createReply(db, { threadId: thread.id, userId: author.id, body: `Reply ${i}` });
  const page = await make.guest().page(`/t/${thread.id}/${thread.slug}`);
  const next = page.querySelector('#pager a[rel=next]');
  t.equal(next?.getAttribute('href'), `/t/${thread.id}/${thread.slug}?page=2`);
  t.equal(next?.getAttribute('hx-get'), next?.getAttribute('href'));
  t.equal(next?.getAttribute('hx-select'), '#posts > *');
  const second = await make.guest().get(`/t/${thread.id}/${thread.slug}?page=2`, { 'hx-request': 'true' });
  t.equal(second.page().querySelectorAll('#posts article.post').length, 6);
  t.equal(second.page().querySelector('#pager a[rel=next]'), null, 'the last page has no next link');
});

t.test('a multi-line post comes back into its edit form exactly as written', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const body = 'Line one\n\n  indented code line\n- a list\n    - nested';
  const thread = await make.thread({ by: author, body });
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const agent = await signIn(author);
  const form = await agent.page(`/p/${post.id}/edit`);
  t.equal(form.querySelector('#field-body')?.text, body);
  await agent.submit(`/p/${post.id}/edit`, { title: 'A thread to talk about', body: form.querySelector('#field-body')!.text });
  const row = await db.selectFrom('posts').select(['raw', 'edit_count']).where('id', '=', post.id).executeTakeFirstOrThrow();
  t.same(row, { raw: body, edit_count: 0 }, 'saving it unchanged changes nothing');
});

import t from 'tap';
import { parseTags } from '../../server/threads/rules.ts';
import { testApp } from '../helpers/app.ts';

t.test('parsing tags', async (t) => {
  t.same(parseTags('Billing, how-to,  Billing, , Dark Mode'), { tags: ['billing', 'how-to', 'dark-mode'] });
  t.same(parseTags(''), { tags: [] });
  t.match(parseTags('ok, <b>no</b>').error, /letters, digits and dashes/);
  t.match(parseTags('a,b,c,d,e,f').error, /At most 5/);
  t.match(parseTags('x'.repeat(31)).error, /30/);
});

t.test('tags from the form show on the thread and in lists, and /tag/:name lists their threads', async (t) => {
  const { make, signIn, db } = await testApp(t);
  await make.category({ slug: 'help' });
  const agent = await signIn(await make.member());
  await agent.page('/c/help/new');
  let res = await agent.submit('/c/help/threads', { title: 'Invoices in euros?', body: 'How?', tags: 'Billing, how to' });
  t.equal(res.statusCode, 303);
  const thread = await agent.page(res.headers.location as string);
  t.same(thread.querySelectorAll('.thread .tag').map((a) => a.text), ['billing', 'how-to']);
  const home = await agent.page('/');
  t.same(home.querySelectorAll('.thread-row .tag').map((a) => a.getAttribute('href')), ['/tag/billing', '/tag/how-to']);
  const tagged = await make.guest().page('/tag/billing');
  t.equal(tagged.h1(), 'Tagged “billing”');
  t.same(tagged.querySelectorAll('.thread-title').map((a) => a.text), ['Invoices in euros?']);
  t.equal((await make.guest().get('/tag/nothing-here')).statusCode, 404);

  res = await agent.submit('/c/help/threads', { title: 'Another question', body: 'Body', tags: 'fine, not<ok>' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().tags, /letters, digits and dashes/);
  t.equal(res.page().values().tags, 'fine, not<ok>', 'kept as typed');
  t.equal((await db.selectFrom('tags').select('name').execute()).length, 2, 'nothing written');
  const tag = await db.selectFrom('tags').select('thread_count').where('name', '=', 'billing').executeTakeFirstOrThrow();
  t.equal(tag.thread_count, 1);
});

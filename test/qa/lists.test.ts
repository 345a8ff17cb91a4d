import t from 'tap';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

t.test('lists filter questions by unanswered, unsolved and solved, and a question’s row shows its facts', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const category = await make.category();
  const asker = await make.member();
  const helper = await make.member();
  const ask = (title: string) => createThread(db, { categoryId: category.id, userId: asker.id, title, body: 'What should I do?', kind: 'question', tags: ['router'] });
  await ask('Nobody answered this one');
  const answered = await ask('Answered but not solved');
  const solved = await ask('Solved by a kind helper');
  await createThread(db, { categoryId: category.id, userId: asker.id, title: 'Just a discussion here', body: 'Hello.', tags: ['router'] });
  await createReply(db, { threadId: answered.id, userId: helper.id, body: 'Maybe restart it?' });
  const answer = await createReply(db, { threadId: solved.id, userId: helper.id, body: 'Unplug it for ten seconds.' });
  const me = await signIn(asker);
  await me.get('/');
  t.equal((await me.submit(`/p/${answer.id}/accept`)).statusCode, 303);
  const voter = await signIn(await make.member());
  await voter.get('/');
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', solved.id).where('post_number', '=', 1).executeTakeFirstOrThrow();
  await voter.submit(`/p/${first.id}/vote`, { value: '1' });

  const titles = async (url: string) => (await make.guest().page(url)).querySelectorAll('.thread-title').map((a) => a.text);
  for (const base of [`/c/${category.slug}`, '/tag/router']) {
    t.same((await titles(base)).sort(), ['Answered but not solved', 'Just a discussion here', 'Nobody answered this one', 'Solved by a kind helper'], `${base}: all`);
    t.same(await titles(`${base}?filter=unanswered`), ['Nobody answered this one'], `${base}: unanswered`);
    t.same((await titles(`${base}?filter=unsolved`)).sort(), ['Answered but not solved', 'Nobody answered this one'], `${base}: unsolved`);
    t.same(await titles(`${base}?filter=solved`), ['Solved by a kind helper'], `${base}: solved`);
  }
  t.same(await titles('/?filter=solved'), ['Solved by a kind helper'], 'the home page filters too');

  const page = await make.guest().page(`/c/${category.slug}`);
  const row = page.querySelectorAll('.thread-row').find((r) => r.querySelector('.thread-title')?.text === 'Solved by a kind helper');
  t.equal(row?.querySelector('.question-score')?.text, '1', 'its score');
  t.match(row?.querySelector('.question-facts')?.text ?? '', /1 answer/, 'its answers');
  t.ok(row?.querySelector('.solved-marker'), 'and that it is solved');
  const discussion = page.querySelectorAll('.thread-row').find((r) => r.querySelector('.thread-title')?.text === 'Just a discussion here');
  t.equal(discussion?.querySelector('.question-facts'), null, 'a discussion shows none of it');
  t.equal(page.querySelector('.list-filters a[aria-current=page]')?.text, 'All threads');
  const filtered = await make.guest().page(`/c/${category.slug}?filter=unsolved`);
  t.equal(filtered.querySelector('.list-filters a[aria-current=page]')?.text, 'Unsolved questions');
  t.equal((await make.guest().get(`/c/${category.slug}?filter=bogus`)).statusCode < 500, true, 'a filter that is none is refused, not a failure');
});

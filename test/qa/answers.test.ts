import t, { type Test } from 'tap';
import { createReply } from '../../server/threads/queries.ts';
import { testApp, type Member } from '../helpers/app.ts';
import type { Page } from '../helpers/html.ts';

const shown = (page: Page) => page.querySelectorAll('article.post').map((a) => Number(a.getAttribute('data-post-id')));

/**
 * A question with 25 answers (26 posts: two pages) whose scores are set as votes would leave
 * them: a few answers tie, a few are below zero. Answers are listed in the order written.
 */
async function question(t: Test) {
  const env = await testApp(t);
  const { make, db } = env;
  const asker = await make.member();
  const answerers: Member[] = [await make.member(), await make.member(), await make.member()];
  const thread = await make.thread({ by: asker, kind: 'question', title: 'Which cable carries the signal best?' });
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 1).executeTakeFirstOrThrow();
  const answers: { id: number; post_number: number; score: number }[] = [];
  for (let i = 0; i < 25; i++) {
    const reply = await createReply(db, { threadId: thread.id, userId: answerers[i % 3].id, body: `Answer number ${i + 1}` });
    // 7, 4, 1, -2, 5, 2, -1, 6, 3, 0, 7, … : ties among older and newer answers, and some below zero.
    const score = ((i * 3) % 10) - 2;
    answers.push({ id: reply.id, post_number: reply.post_number, score });
  }
  for (const a of answers) await db.updateTable('posts').set({ score: a.score }).where('id', '=', a.id).execute();
  await db.updateTable('posts').set({ score: 3 }).where('id', '=', first.id).execute();
  const byScore = (list: typeof answers) => [...list].sort((a, b) => b.score - a.score || a.post_number - b.post_number).map((a) => a.id);
  return { ...env, asker, thread, questionPost: first.id, answers, byScore, url: (page: number) => `/t/${thread.id}/${thread.slug}?page=${page}` };
}

t.test('a question shows its answers by score, the older first among equals, and pages follow that order', async (t) => {
  const { db, make, signIn, questionPost, answers, byScore, url } = await question(t);
  const expected = [questionPost, ...byScore(answers)];
  t.not(byScore(answers)[0], answers[0].id, 'the order is not the order written (the test would say nothing)');

  const guest = make.guest();
  const member = await signIn(await make.member());
  for (const [who, agent] of [['a guest', guest], ['a member', member]] as const) {
    const one = await agent.page(url(1));
    const two = await agent.page(url(2));
    t.same(shown(one), expected.slice(0, 20), `${who}: page 1 is the question and the 19 best answers`);
    t.same(shown(two), expected.slice(20), `${who}: page 2 the rest, in the same order`);
    t.ok(one.querySelector('a[rel=next]') && !one.querySelector('a[rel=prev]'), `${who}: page 1 leads on`);
  }
  // The pages kept for guests and members follow a change of score at once.
  const worst = expected.at(-1)!;
  await db.updateTable('posts').set({ score: 100 }).where('id', '=', worst).execute();
  for (const agent of [guest, member]) t.same(shown(await agent.page(url(1))).slice(0, 2), [questionPost, worst], 'the best answer now comes first');
  t.equal((await guest.get(url(3))).statusCode, 404, 'no third page');
});

t.test('the accepted answer comes right under the question, marked, and only there', async (t) => {
  const { signIn, make, asker, questionPost, answers, byScore, url } = await question(t);
  // The lowest-scored answer, which would be last of all.
  const low = byScore(answers).at(-1)!;
  const me = await signIn(asker);
  await me.get(url(2));
  t.equal((await me.submit(`/p/${low}/accept`)).statusCode, 303);
  for (const agent of [me, make.guest(), await signIn(await make.member())]) {
    const one = await agent.page(url(1));
    t.same(shown(one).slice(0, 2), [questionPost, low], 'under the question');
    t.ok(one.querySelector(`#post-${low}.post-accepted .accepted-marker`), 'marked as the accepted answer');
    t.equal(one.querySelectorAll('.accepted-marker').length, 1, 'the only one marked');
    const two = await agent.page(url(2));
    t.notOk(shown(two).includes(low), 'and not again further down');
    t.same([...shown(one), ...shown(two)].sort(), [questionPost, ...answers.map((a) => a.id)].sort(), 'every post once');
  }
});

t.test('/p/:id and the redirects after a vote, an accept and a reply land on the page that holds the post', async (t) => {
  const { db, make, signIn, asker, thread, questionPost, answers, byScore, url } = await question(t);
  const order = [questionPost, ...byScore(answers)];
  // An early answer with a low score: post number 4, ranked on page 2.
  const low = answers.find((a) => a.score < 0 && a.post_number < 20)!;
  const rank = order.indexOf(low.id) + 1;
  t.ok(rank > 20, 'ranked on page 2, though its number is on page 1');
  const guest = make.guest();
  let res = await guest.get(`/p/${low.id}`);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `${url(2)}#post-${low.id}`);
  t.ok((await guest.page(url(2))).querySelector(`#post-${low.id}`), 'and the post is there');
  res = await guest.get(`/p/${order[5]}`);
  t.equal(res.headers.location, `${url(1)}#post-${order[5]}`, 'a high one on page 1, whatever its number');

  const voter = await signIn(await make.member({ rank: 2 }));
  await voter.get(url(2));
  res = await voter.submit(`/p/${low.id}/vote`, { value: '-1' });
  t.equal(res.headers.location, `${url(2)}#post-${low.id}`, 'after a vote: where the post is now');

  // A new answer (score 0) ranks before those below zero, so on page 2, above its end.
  res = await voter.submit(`/t/${thread.id}/replies`, { body: 'A late answer with a fresh idea' });
  t.equal(res.statusCode, 303);
  const late = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).orderBy('post_number', 'desc').executeTakeFirstOrThrow();
  t.equal(res.headers.location, `${url(2)}#post-${late.id}`);
  const two = shown(await guest.page(url(2)));
  t.ok(two.indexOf(late.id) < two.indexOf(low.id), 'above the answers below zero');

  // Accepting the low answer takes it to page 1; its address follows.
  const me = await signIn(asker);
  await me.get(url(2));
  res = await me.submit(`/p/${low.id}/accept`);
  t.equal(res.headers.location, `${url(1)}#post-${low.id}`, 'after an accept: on page 1 now');
  t.equal((await guest.get(`/p/${low.id}`)).headers.location, `${url(1)}#post-${low.id}`);
});

t.test('a discussion keeps the order its posts were written in, whatever their scores', async (t) => {
  const { db, make } = await testApp(t);
  const thread = await make.thread({ replies: 24 });
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', thread.id).orderBy('post_number').execute();
  for (const p of posts) await db.updateTable('posts').set({ score: p.post_number % 4 }).where('id', '=', p.id).execute();
  const guest = make.guest();
  t.same(shown(await guest.page(`/t/${thread.id}/${thread.slug}?page=1`)), posts.slice(0, 20).map((p) => p.id));
  t.same(shown(await guest.page(`/t/${thread.id}/${thread.slug}?page=2`)), posts.slice(20).map((p) => p.id));
  t.equal((await guest.get(`/p/${posts[21].id}`)).headers.location, `/t/${thread.id}/${thread.slug}?page=2#post-${posts[21].id}`);
});

t.test('a member coming back to a question opens it at its start, the marker before the first answer they have not read', async (t) => {
  const { db, make, signIn, thread, answers, byScore } = await question(t);
  const member = await make.member();
  const agent = await signIn(member);
  await db.insertInto('thread_reads').values({ user_id: member.id, thread_id: thread.id, last_read_post_number: 20 }).execute();
  const res = await agent.get(`/t/${thread.id}/${thread.slug}`);
  t.equal(res.statusCode, 200, 'no redirect to a page by post number');
  const firstNew = byScore(answers).find((id) => answers.find((a) => a.id === id)!.post_number > 20);
  t.equal(res.page().querySelector('#unread + article')?.getAttribute('id'), `post-${firstNew}`);
});

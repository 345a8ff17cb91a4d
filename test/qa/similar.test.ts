import t, { type Test } from 'tap';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';
import type { Page } from '../helpers/html.ts';

const suggested = (page: Page) => page.querySelectorAll('#similar-questions .similar-question a').map((a) => a.text);

async function setup(t: Test) {
  const env = await testApp(t);
  const { make, db } = env;
  const asker = await make.member();
  const help = await make.category({ slug: 'help' });
  const staffOnly = await make.category({ slug: 'staff-room' });
  await db.updateTable('categories').set({ read_role: 'staff' }).where('id', '=', staffOnly.id).execute();
  const ask = (categoryId: number, title: string, kind: 'question' | 'discussion' = 'question') =>
    createThread(db, { categoryId, userId: asker.id, title, body: 'Some words about it.', kind });
  const solved = await ask(help.id, 'How do I reset the router password?');
  const answer = await createReply(db, { threadId: solved.id, userId: (await make.member()).id, body: 'Hold the button.' });
  await db.updateTable('threads').set({ accepted_post_id: answer.id }).where('id', '=', solved.id).execute();
  await db.updateTable('posts').set({ score: 4 }).where('id', '=', solved.postId).execute();
  await ask(help.id, 'Router lights blink after a reset');
  await ask(help.id, 'Where is the router password printed?');
  await ask(help.id, 'Resetting the router, a story', 'discussion');
  await ask(staffOnly.id, 'Router password reset for the staff network');
  await ask(help.id, 'How do I do it?');
  return { ...env, help, solved };
}

t.test('while a title is typed, htmx fetches the readable questions most like it', async (t) => {
  const { make, signIn, help } = await setup(t);
  const member = await signIn(await make.member());
  const form = await member.page(`/c/${help.slug}/new`);
  const area = form.querySelector('.title-with-similar');
  t.equal(area?.getAttribute('hx-get'), `/c/${help.slug}/similar`, 'the title field asks as it is typed');
  t.match(area?.getAttribute('hx-trigger') ?? '', /input changed delay:\d+ms from:#field-title/);
  t.equal(area?.getAttribute('hx-target'), '#similar-questions');
  t.ok(form.querySelector('#similar-questions'), 'into a place under the field');

  const res = await member.get(`/c/${help.slug}/similar?title=${encodeURIComponent('How can I reset my router password')}`, { 'hx-request': 'true' });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<html/, 'a fragment');
  t.equal(res.headers.vary, 'HX-Request');
  const found = suggested(res.page());
  t.equal(found[0], 'How do I reset the router password?', 'the closest first');
  t.same(new Set(found), new Set(['How do I reset the router password?', 'Where is the router password printed?', 'Router lights blink after a reset']), 'questions only, of categories the member reads');
  const first = res.page().querySelector('.similar-question');
  t.equal(first?.querySelector('a')?.getAttribute('href')?.startsWith('/t/'), true, 'each links to its thread');
  t.equal(first?.querySelector('.question-score')?.text, '4', 'with its score');
  t.match(first?.text ?? '', /1 answer/, 'its answers');
  t.ok(first?.querySelector('.solved-marker'), 'and whether it is solved');

  const none = await member.get(`/c/${help.slug}/similar?title=${encodeURIComponent('How do I do this?')}`, { 'hx-request': 'true' });
  t.same(suggested(none.page()), [], 'stop words alone match nothing ("How do I do it?" is not like it)');
  t.ok(none.page().querySelector('.similar-none'));
  const empty = await member.get(`/c/${help.slug}/similar?title=`, { 'hx-request': 'true' });
  t.equal(empty.page().querySelector('.similar-none'), null, 'nothing said before anything is typed');

  const staff = await signIn(await make.member({ role: 'staff' }));
  const forStaff = await staff.get(`/c/${help.slug}/similar?title=${encodeURIComponent('router password reset')}`, { 'hx-request': 'true' });
  t.ok(suggested(forStaff.page()).includes('Router password reset for the staff network'), 'staff, who read the staff category, get its question');
  t.notOk(suggested(res.page()).includes('Router password reset for the staff network'), 'members do not');
});

t.test('at most five, and no thread of a hidden or deleted question', async (t) => {
  const { make, signIn, db, help, solved } = await setup(t);
  const by = await make.member();
  for (let i = 0; i < 6; i++) await createThread(db, { categoryId: help.id, userId: by.id, title: `Router question number ${i}`, body: 'About the router.', kind: 'question' });
  await db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', solved.id).execute();
  const member = await signIn(await make.member());
  await member.get('/search');
  const res = await member.get(`/c/${help.slug}/similar?title=router%20password`, { 'hx-request': 'true' });
  const found = suggested(res.page());
  t.equal(found.length, 5);
  t.notOk(found.includes('How do I reset the router password?'), 'a deleted question is not suggested');
});

t.test('without JavaScript, "Check for similar questions" shows the form again with them and the input kept, and posts nothing', async (t) => {
  const { make, signIn, db, help } = await setup(t);
  const member = await signIn(await make.member());
  const form = await member.page(`/c/${help.slug}/new`);
  t.equal(form.querySelector('button[name=similar]')?.text.trim(), 'Check for similar questions', 'the button is on the form');
  const before = (await db.selectFrom('threads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  const res = await member.submit(`/c/${help.slug}/threads`, { title: 'Router password reset does nothing', body: 'I pressed it twice.', kind: 'question', tags: 'router', similar: '1' });
  t.equal(res.statusCode, 200);
  const page = res.page();
  t.ok(suggested(page).includes('How do I reset the router password?'), 'the questions like it');
  t.notOk(suggested(page).includes('Router password reset for the staff network'), 'of readable categories only');
  t.equal(page.querySelector('#field-title')?.getAttribute('value'), 'Router password reset does nothing', 'the title kept');
  t.equal(page.querySelector('#field-body')?.text, 'I pressed it twice.', 'the text kept');
  t.equal(page.querySelector('input[name=kind]:checked')?.getAttribute('value'), 'question', 'and the kind');
  const after = (await db.selectFrom('threads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  t.equal(after, before, 'no thread is created');

  // The address the fragment comes from, opened without htmx, is the form with the title and the questions.
  const plain = await member.get(`/c/${help.slug}/similar?title=router%20password`);
  t.equal(plain.statusCode, 200);
  t.equal(plain.page().querySelector('#field-title')?.getAttribute('value'), 'router password');
  t.ok(suggested(plain.page()).length > 0);
  // A category the member may not read answers as its form does.
  const hidden = await member.get('/c/staff-room/similar?title=router', { 'hx-request': 'true' });
  t.equal(hidden.statusCode, (await member.get('/c/staff-room/new')).statusCode);
  t.equal(hidden.statusCode, 403);
  t.equal(suggested(hidden.page()).length, 0, 'and shows none of its questions');
});

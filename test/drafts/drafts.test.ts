import t from 'tap';
import { testApp } from '../helpers/app.ts';
import { scheduled } from '../../server/jobs/index.ts';

const replyBox = (page: { querySelector(s: string): { text: string } | null }) => page.querySelector('form.reply-form textarea[name=body]')?.text;

t.test('a reply draft saved in one session comes back in another, never to another member, and posting clears it', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread({ replies: 1 });
  const url = `/t/${thread.id}/${thread.slug}`;
  const member = await make.member();
  const laptop = await signIn(member);
  const phone = await signIn(member);
  const other = await signIn(await make.member());
  // The page is shared by plain members: read by each first, so that what follows comes from the kept copy.
  for (const agent of [laptop, phone, other]) t.equal(replyBox(await agent.page(url)), '');

  // As the member types, htmx saves it.
  const written = 'Half a reply with <b>markup</b> & "quotes"';
  let res = await laptop.submit(`/t/${thread.id}/draft`, { body: written }, { htmx: true });
  t.equal(res.statusCode, 200);
  t.match(res.page().text, /Draft saved/);
  t.equal(replyBox(await phone.page(url)), written, 'the other session of the same member has it');
  t.equal(replyBox(await other.page(url)), '', 'another member never sees it');
  t.equal(replyBox(await laptop.page(url)), written);

  // Without JavaScript, "Save draft" comes back to the form with the draft in it.
  res = await phone.submit(`/t/${thread.id}/draft`, { body: 'A better reply, written on the phone' });
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, new RegExp(`^/t/${thread.id}/${thread.slug}\\?page=1#reply-area$`));
  let page = await phone.page(res.headers.location as string);
  t.equal(replyBox(page), 'A better reply, written on the phone');
  t.ok(page.messages().some((m) => /draft is saved/.test(m)));
  t.equal(replyBox(await laptop.page(url)), 'A better reply, written on the phone');

  // Posting clears it.
  res = await laptop.submit(`/t/${thread.id}/replies`, { body: 'A better reply, written on the phone' });
  t.equal(res.statusCode, 303);
  t.equal((await db.selectFrom('drafts').select('draft_key').where('user_id', '=', member.id).execute()).length, 0);
  page = await phone.page(`${url}?page=1`);
  t.equal(replyBox(page), '', 'the box is empty again');

  // An emptied box removes the draft.
  await laptop.submit(`/t/${thread.id}/draft`, { body: 'Something' }, { htmx: true });
  await laptop.submit(`/t/${thread.id}/draft`, { body: '' }, { htmx: true });
  t.equal((await db.selectFrom('drafts').select('draft_key').execute()).length, 0);

  const guest = make.guest();
  await guest.get('/');
  t.equal((await guest.submit(`/t/${thread.id}/draft`, { body: 'x' })).statusCode, 401);
  // A thread that is not there keeps nothing.
  t.equal((await laptop.submit('/t/999999/draft', { body: 'Nowhere' }, { htmx: true })).statusCode, 200);
  t.equal((await db.selectFrom('drafts').select('draft_key').execute()).length, 0);
});

t.test('a new thread\'s draft comes back in the form, and posting the thread clears it', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category();
  const member = await make.member();
  const first = await signIn(member);
  const second = await signIn(member);
  await first.get(`/c/${category.slug}/new`);
  let res = await first.submit(`/c/${category.slug}/draft`, { title: 'How do I export my data', body: 'I tried the settings page but' }, { htmx: true });
  t.equal(res.statusCode, 200);
  let values = (await second.page(`/c/${category.slug}/new`)).values();
  t.equal(values.title, 'How do I export my data');
  t.equal(values.body, 'I tried the settings page but');
  const stranger = await signIn(await make.member());
  values = (await stranger.page(`/c/${category.slug}/new`)).values();
  t.notOk(values.title);
  t.notOk(values.body);

  res = await second.submit(`/c/${category.slug}/draft`, { title: 'How do I export my data?', body: 'I tried the settings page, but nothing.' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/c/${category.slug}/new`);
  t.equal((await second.page(`/c/${category.slug}/new`)).values().title, 'How do I export my data?');

  res = await first.submit(`/c/${category.slug}/threads`, { title: 'How do I export my data?', body: 'I tried the settings page, but nothing.', kind: 'question' });
  t.equal(res.statusCode, 303);
  t.equal((await db.selectFrom('drafts').select('draft_key').execute()).length, 0, 'cleared with the thread');
  // A category that is not there keeps nothing.
  res = await first.submit('/c/no-such-category/draft', { title: 'x', body: 'y' }, { htmx: true });
  t.equal(res.statusCode, 200);
  t.equal((await db.selectFrom('drafts').select('draft_key').execute()).length, 0);
});

t.test('an over-long draft is refused with a clear message, and the draft kept as it was', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread();
  const member = await make.member();
  const agent = await signIn(member);
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  await agent.submit(`/t/${thread.id}/draft`, { body: 'The draft so far' }, { htmx: true });
  const long = 'x'.repeat(50_001);
  let res = await agent.submit(`/t/${thread.id}/draft`, { body: long }, { htmx: true });
  t.equal(res.statusCode, 422);
  t.match(res.page().querySelector('[role=alert]')?.text, /at most 50,000 characters/);
  res = await agent.submit(`/t/${thread.id}/draft`, { body: long });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /Drafts are at most 50,000 characters/);
  t.equal(replyBox(res.page())?.length, 50_001, 'the text is kept in the form');
  const category = await make.category();
  res = await agent.submit(`/c/${category.slug}/draft`, { title: 't'.repeat(201), body: 'fine' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().title, /at most 200/);
  const rows = await db.selectFrom('drafts').select(['draft_key', 'body']).execute();
  t.same(rows, [{ draft_key: `thread:${thread.id}`, body: 'The draft so far' }]);
});

t.test('the sweep removes drafts left for weeks', async (t) => {
  const { make, db, app } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread();
  const other = await make.thread();
  await db.insertInto('drafts').values([
    { user_id: member.id, draft_key: `thread:${thread.id}`, body: 'old', updated_at: new Date(Date.now() - 40 * 86_400_000) },
    { user_id: member.id, draft_key: `thread:${other.id}`, body: 'recent', updated_at: new Date(Date.now() - 86_400_000) },
  ]).execute();
  await scheduled.drafts_sweep.run(db, app.log, app.now);
  t.same((await db.selectFrom('drafts').select('body').execute()).map((r) => r.body), ['recent']);
});

import t from 'tap';
import { createThread } from '../../../server/threads/queries.ts';
import { testApp } from '../../helpers/app.ts';

t.test('staff pin a thread: first in its category, or on top of the home page; the pin can end', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category({ slug: 'news' });
  const author = await make.member();
  const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
  const old = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Old announcement', body: 'x', at: at(0) });
  for (let i = 1; i <= 3; i++) await createThread(db, { categoryId: category.id, userId: author.id, title: `Chatter ${i}`, body: 'x', at: at(i) });
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.page(`/t/${old.id}/${old.slug}`);

  let res = await staff.submit(`/t/${old.id}/pin`, { scope: 'category', until: '' });
  t.equal(res.statusCode, 303);
  let titles = (await make.guest().page('/c/news')).querySelectorAll('.thread-title').map((a) => a.text);
  t.same(titles, ['Old announcement', 'Chatter 3', 'Chatter 2', 'Chatter 1'], 'pinned first, listed once');
  t.equal((await make.guest().page('/')).querySelectorAll('.thread-title')[0].text, 'Chatter 3', 'a category pin does not lead the home page');

  res = await staff.submit(`/t/${old.id}/pin`, { scope: 'global', until: '2099-01-01' });
  t.equal(res.statusCode, 303);
  const home = await make.guest().page('/');
  t.equal(home.querySelectorAll('.thread-title')[0].text, 'Old announcement');
  t.equal(home.querySelectorAll('.thread-title').filter((a) => a.text === 'Old announcement').length, 1);
  t.ok(home.querySelector('.thread-flag.pinned'));

  // A pin whose end has passed no longer counts.
  await db.updateTable('threads').set({ pinned_until: new Date(Date.now() - 1000) }).where('id', '=', old.id).execute();
  titles = (await make.guest().page('/c/news')).querySelectorAll('.thread-title').map((a) => a.text);
  t.same(titles, ['Chatter 3', 'Chatter 2', 'Chatter 1', 'Old announcement']);

  res = await staff.submit(`/t/${old.id}/pin`, { scope: 'global', until: '2001-01-01' });
  t.equal(res.statusCode, 422, 'an end in the past is refused');
  res = await staff.submit(`/t/${old.id}/unpin`);
  t.equal(res.statusCode, 303);
  const row = await db.selectFrom('threads').select(['pinned_scope', 'pinned_at']).where('id', '=', old.id).executeTakeFirstOrThrow();
  t.same(row, { pinned_scope: null, pinned_at: null });

  const member = await signIn(await make.member());
  await member.get('/');
  t.equal((await member.submit(`/t/${old.id}/pin`, { scope: 'global' })).statusCode, 403, 'members cannot pin');
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get('/');
  t.equal((await moderator.submit(`/t/${old.id}/pin`, { scope: 'global' })).statusCode, 403, 'pins are for brand staff');
});

t.test('moderators lock a thread: members can no longer reply, moderators still can', async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await moderator.submit(`/t/${thread.id}/lock`)).statusCode, 303);

  const member = await signIn(await make.member());
  const page = await member.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector('form.reply-form'), null, 'no reply form');
  t.match(page.messages().join(' '), /locked/);
  const res = await member.submit(`/t/${thread.id}/replies`, { body: 'Can I still?' });
  t.equal(res.statusCode, 409);
  t.match(res.page().messages().join(' '), /locked/);
  t.equal((await member.submit(`/t/${thread.id}/lock`)).statusCode, 403, 'members cannot lock');

  await moderator.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await moderator.submit(`/t/${thread.id}/replies`, { body: 'Closing note from the team.' })).statusCode, 303);
  await moderator.page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal((await moderator.submit(`/t/${thread.id}/unlock`)).statusCode, 303);
  await member.page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal((await member.submit(`/t/${thread.id}/replies`, { body: 'Now I can.' })).statusCode, 303);
});

import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('announcements are staff\'s: members are refused the kind, staff see it on the form', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category({ slug: 'news' });
  const member = await signIn(await make.member());
  const form = await member.page(`/c/${category.slug}/new`);
  t.notOk(form.querySelectorAll('input[name=kind]').some((i) => i.getAttribute('value') === 'announcement'), 'members are not offered it');
  t.equal(form.querySelector('input[name=replies]'), null);
  const res = await member.submit(`/c/${category.slug}/threads`, { title: 'Big news from me', body: 'Listen up.', kind: 'announcement' });
  t.equal(res.statusCode, 422, 'a member\'s announcement is refused');
  t.match(res.page().text, /Choose a kind of thread from the list/);
  t.equal(await db.selectFrom('threads').select('id').where('kind', '=', 'announcement').executeTakeFirst(), undefined);

  const staff = await signIn(await make.member({ role: 'staff' }));
  const staffForm = await staff.page(`/c/${category.slug}/new`);
  t.ok(staffForm.querySelectorAll('input[name=kind]').some((i) => i.getAttribute('value') === 'announcement'), 'staff are offered it');
  t.equal(staffForm.querySelectorAll('input[name=replies]').length, 2, 'with the choice of who may reply');
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  const modForm = await moderator.page(`/c/${category.slug}/new`);
  t.notOk(modForm.querySelectorAll('input[name=kind]').some((i) => i.getAttribute('value') === 'announcement'), 'moderators do not speak for the brand');
  // A rejected announcement keeps the choice.
  const again = await staff.submit(`/c/${category.slug}/threads`, { title: 'x', body: 'Listen up.', kind: 'announcement', replies: 'staff' });
  t.equal(again.statusCode, 422);
  t.ok(again.page().querySelector('input[name=replies][value=staff][checked]'), 'the choice is kept');
});

t.test('an announcement takes members\' replies, or only staff\'s', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const category = await make.category({ slug: 'news' });
  const staffMember = await make.member({ role: 'staff' });
  const staff = await signIn(staffMember);
  await staff.page(`/c/${category.slug}/new`);

  let res = await staff.submit(`/c/${category.slug}/threads`, { title: 'Version 2 is out', body: 'Read all about it.', kind: 'announcement', replies: 'staff' });
  t.equal(res.statusCode, 303);
  const closed = await db.selectFrom('threads').select(['id', 'slug', 'kind', 'members_may_reply']).where('title', '=', 'Version 2 is out').executeTakeFirstOrThrow();
  t.same([closed.kind, closed.members_may_reply], ['announcement', false]);

  res = await staff.submit(`/c/${category.slug}/threads`, { title: 'Tell us what you think', body: 'Replies welcome.', kind: 'announcement', replies: 'members' });
  t.equal(res.statusCode, 303);
  const open = await db.selectFrom('threads').select(['id', 'slug', 'members_may_reply']).where('title', '=', 'Tell us what you think').executeTakeFirstOrThrow();
  t.equal(open.members_may_reply, true);

  const member = await signIn(await make.member());
  const page = await member.page(`/t/${closed.id}/${closed.slug}`);
  t.match(page.querySelector('.kind-announcement')?.text ?? '', /Announcement.*replies from staff only/s, 'the page shows the kind');
  t.equal(page.querySelector('form.reply-form'), null, 'no reply box for members');
  t.match(page.messages().join(' '), /only staff can reply/);
  res = await member.submit(`/t/${closed.id}/replies`, { body: 'But I want to reply!' });
  t.equal(res.statusCode, 409, 'a member\'s reply is refused');
  t.match(res.page().messages().join(' '), /This announcement takes no replies from members/);
  const guest = await make.guest().page(`/t/${closed.id}/${closed.slug}`);
  t.match(guest.querySelector('.kind-announcement')?.text ?? '', /Announcement/);

  const staffPage = await staff.page(`/t/${closed.id}/${closed.slug}`);
  t.ok(staffPage.querySelector('form.reply-form'), 'staff get the reply box');
  t.equal((await staff.submit(`/t/${closed.id}/replies`, { body: 'A follow-up from the team.' })).statusCode, 303, 'staff still reply');

  const openPage = await member.page(`/t/${open.id}/${open.slug}`);
  t.ok(openPage.querySelector('form.reply-form'));
  t.notMatch(openPage.querySelector('.kind-announcement')?.text ?? '', /staff only/);
  t.equal((await member.submit(`/t/${open.id}/replies`, { body: 'Looks great, thanks!' })).statusCode, 303, 'members reply where staff allowed it');

  // Other kinds take replies as ever, whatever the form says.
  res = await staff.submit(`/c/${category.slug}/threads`, { title: 'Just a discussion', body: 'Hello.', kind: 'discussion', replies: 'staff' });
  t.equal(res.statusCode, 303);
  const plain = await db.selectFrom('threads').select('members_may_reply').where('title', '=', 'Just a discussion').executeTakeFirstOrThrow();
  t.equal(plain.members_may_reply, true);
});

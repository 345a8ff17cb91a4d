// The admins' members pages: the search by name or email in pages, a member's record, the role
// changed from it, and a member deleted with their posts kept under "deleted member" or removed.
import { test } from 'tap';
import { testApp } from '../helpers/app.ts';
import { imposeSanction } from '../../server/moderation/sanctions/queries.ts';
import { searchMembers } from '../../server/members/queries.ts';
import { linkUploads, recordUpload } from '../../server/uploads/queries.ts';
import { createReply } from '../../server/threads/queries.ts';

test('the search finds members by a part of their name or email, any case, fifty to a page', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const zara = await make.member({ username: 'Zara_Quill' });
  await db.updateTable('users').set({ email: 'zq@harbour-mail.test' }).where('id', '=', zara.id).execute();
  for (let i = 0; i < 55; i++) await make.member({ username: `pager${String(i).padStart(2, '0')}` });
  const browser = await signIn(admin);

  const byName = await browser.page('/admin/members?q=quILL');
  t.same(byName.querySelectorAll('.member-result a').map((a) => a.text), ['Zara_Quill'], 'a part of the name, in any case');
  const byEmail = await browser.page('/admin/members?q=HARBOUR-mail');
  t.same(byEmail.querySelectorAll('.member-result a').map((a) => a.text), ['Zara_Quill'], 'a part of the email');
  // `_` is a letter of the name here, not LIKE's any-character.
  t.same((await searchMembers(db, { q: 'a_q' })).members.map((m) => m.username), ['Zara_Quill']);
  t.same((await searchMembers(db, { q: 'r_q' })).members.length, 0, 'an underscore matches an underscore only');

  const first = await browser.page('/admin/members?q=pager');
  const names = first.querySelectorAll('.member-result a').map((a) => a.text);
  t.equal(names.length, 50, 'fifty on the first page');
  t.equal(names[0], 'pager00');
  const more = first.querySelector('a.more')?.getAttribute('href');
  t.ok(more, 'a link to the next page');
  const second = await browser.page(more!.replaceAll('&amp;', '&'));
  t.same(second.querySelectorAll('.member-result a').map((a) => a.text), ['pager50', 'pager51', 'pager52', 'pager53', 'pager54'], 'the rest, after the cursor');
  t.notOk(second.querySelector('a.more'), 'no page after the last');
  t.equal((await browser.get('/admin/members?q=nobody-has-this')).statusCode, 200);

  const member = await signIn(await make.member());
  t.equal((await member.get('/admin/members')).statusCode, 403, 'admins only');
  t.equal((await make.guest().get('/admin/members')).statusCode, 303, 'a guest signs in first');
});

test("a member's page shows their facts, posts, flags raised and received, and sanctions; the role changes from it, logged", async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const member = await make.member({ rank: 2 });
  const other = await make.member({ rank: 2 });
  const thread = await make.thread({ by: member, title: 'The member’s own thread title' });
  const othersThread = await make.thread({ by: other, title: 'Another member’s thread here' });
  const othersReply = await createReply(db, { threadId: othersThread.id, userId: other.id, body: 'Something to flag, from another member.' });
  const firstPost = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  // Flags as the flag form leaves them (test/moderation covers raising them).
  await db.insertInto('flags').values({ post_id: othersReply.id, user_id: member.id, reason: 'spam', note: 'Selling things', weight: 3 }).execute();
  await db.insertInto('flags').values({ post_id: firstPost.id, user_id: other.id, reason: 'off_topic', note: 'Not about this', weight: 3 }).execute();
  await db.transaction().execute((tx) => imposeSanction(tx, { kind: 'warn', reason: 'Mind the tone please', endsAt: null, member, by: admin.id, at: app.now() }));

  const browser = await signIn(admin);
  const page = await browser.page(`/admin/members/${member.id}`);
  t.equal(page.h1(), member.username);
  t.match(page.querySelector('.member-facts')!.text, member.email, 'their email');
  t.equal(page.querySelector('.member-rank')!.text.trim(), 'Contributor');
  t.ok(page.querySelector('[data-fact=daysVisited]'), 'the facts their rank is decided on');
  t.ok(page.querySelector('.rank-standing .rank-why'), 'and why they hold it');
  t.same(page.querySelectorAll('.member-post a').map((a) => a.getAttribute('href')), [`/p/${firstPost.id}`], 'their posts, linked');
  t.match(page.querySelector('.member-flags-raised')!.text, /spam[\s\S]*Another member’s thread here/);
  t.match(page.querySelector('.member-flags-against')!.text, new RegExp(`off_topic[\\s\\S]*from ${other.username}`));
  t.match(page.querySelector('.member-sanctions')!.text, 'Mind the tone please');
  t.ok(page.querySelector(`a[href="/u/${member.username}/sanction"]`), 'the sanction form, linked');
  t.ok(page.querySelector('#invited-by, .member-facts'), 'the page renders the invites placeholder without error');

  const res = await browser.submit(`/admin/users/${member.id}/role`, { role: 'moderator' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/admin/members/${member.id}`, 'back to the member’s page');
  t.equal((await browser.page(`/admin/members/${member.id}`)).querySelector('.member-role')!.text, 'moderator');
  const line = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.role').where('target_id', '=', member.id).executeTakeFirstOrThrow();
  t.equal(line.actor_id, admin.id, 'logged with who did it');
  t.same([line.before, line.after], [{ role: 'member' }, { role: 'moderator' }]);

  t.equal((await browser.get('/admin/members/999999')).statusCode, 404);
});

test('an admin deletes a member with their posts kept under "deleted member": sessions end, uploads go, the profile is gone', async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const member = await make.member();
  const thread = await make.thread({ title: 'A thread the member replies in' });
  const reply = await createReply(db, { threadId: thread.id, userId: member.id, body: 'The member’s reply, which stays.' });
  const key = `${'a'.repeat(40)}.txt`;
  await app.uploads.put(key, { bytes: Buffer.from('the member’s file') }, 'text/plain');
  await recordUpload(db, { key, thumbKey: null, userId: member.id, name: 'note.txt', kind: 'text', contentType: 'text/plain; charset=utf-8', size: 17, width: null, height: null, at: app.now() });
  await linkUploads(db, reply.id, member.id, [key]);
  const memberBrowser = await signIn(member);
  t.equal((await memberBrowser.get('/account')).statusCode, 200, 'the member is signed in');
  // A guest's kept copy of the thread, which the deletion must replace.
  t.match((await make.guest().page(`/t/${thread.id}/${thread.slug}`)).querySelector(`#post-${reply.id} .post-author`)?.text, member.username);

  const browser = await signIn(admin);
  await browser.get(`/admin/members/${member.id}`);
  const refused = await browser.submit(`/admin/members/${member.id}/delete`, { posts: 'anonymise' });
  t.equal(refused.statusCode, 422, 'not without the box ticked');
  t.ok(refused.page().fieldErrors().confirm, 'the error beside the box');
  const res = await browser.submit(`/admin/members/${member.id}/delete`, { posts: 'anonymise', confirm: 'yes', reason: 'Asked by mail' });
  t.equal(res.statusCode, 303);

  const threadPage = await make.guest().page(`/t/${thread.id}/${thread.slug}`);
  const post = threadPage.querySelector(`#post-${reply.id}`);
  t.ok(post, 'the post stays');
  t.equal(post!.querySelector('.display-name')?.text, 'deleted member', 'under "deleted member"');
  t.notMatch(threadPage.text, member.username, 'their name is gone from the thread');
  const log = await browser.page('/mod/log');
  t.match(log.text, 'user.delete', 'the staff log shows the deletion');
  t.equal((await make.guest().get(`/u/${member.username}`)).statusCode, 404, 'their profile is gone');
  t.equal((await make.guest().get(`/u/deleted-${member.id}`)).statusCode, 404, 'and has no new address');
  t.equal((await memberBrowser.get('/account')).statusCode, 303, 'their cookie signs in no more: sent to sign in');
  const login = make.guest();
  await login.get('/login');
  t.equal((await login.submit('/login', { login: member.username, password: member.password })).statusCode, 401, 'they cannot sign in again: their name names no one');
  t.notOk(await app.uploads.exists(key), 'their upload’s bytes are removed');
  t.equal((await db.selectFrom('uploads').select('id').where('user_id', '=', member.id).execute()).length, 0, 'and its row');
  const line = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.delete').executeTakeFirstOrThrow();
  t.same([line.actor_id, line.target_id, line.target_label, line.reason], [admin.id, member.id, member.username, 'Asked by mail'], 'logged with who did it');
  t.same(line.after, { username: `deleted-${member.id}`, posts: 'anonymised' });
  const search = await browser.page(`/admin/members?q=deleted-${member.id}`);
  t.ok(search.querySelector('.member-result .deleted-marker'), 'the search shows them as deleted');
});

test('an admin deletes a member with their posts removed: their threads and replies are gone for members', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const member = await make.member();
  const reader = await make.member();
  const own = await make.thread({ by: member, title: 'A thread the member started' });
  const other = await make.thread({ title: 'A thread the member replies in', replies: 1 });
  const reply = await createReply(db, { threadId: other.id, userId: member.id, body: 'The member’s reply, to be removed.' });
  const before = await db.selectFrom('threads').select('reply_count').where('id', '=', other.id).executeTakeFirstOrThrow();

  const browser = await signIn(admin);
  await browser.get(`/admin/members/${member.id}`);
  t.equal((await browser.submit(`/admin/members/${member.id}/delete`, { posts: 'remove', confirm: 'yes' })).statusCode, 303);

  const readerBrowser = await signIn(reader);
  const page = await readerBrowser.page(`/t/${other.id}/${other.slug}`);
  t.notOk(page.querySelector(`#post-${reply.id}`), 'the reply is gone');
  t.equal(page.querySelectorAll('article.post').length, 2, 'the others stay');
  t.equal((await readerBrowser.get(`/t/${own.id}/${own.slug}`)).statusCode, 404, 'their thread is gone');
  const after = await db.selectFrom('threads').select('reply_count').where('id', '=', other.id).executeTakeFirstOrThrow();
  t.equal(after.reply_count, before.reply_count - 1, 'the reply left the count');
  const line = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.delete').executeTakeFirstOrThrow();
  t.same(line.after, { username: `deleted-${member.id}`, posts: 'removed', removed: 2 });
  t.equal((await browser.get(`/admin/members/${member.id}`)).statusCode, 200, 'the admin still finds the record');

  const self = await browser.submit(`/admin/members/${admin.id}/delete`, { posts: 'anonymise', confirm: 'yes' });
  t.equal(self.statusCode, 422, 'an admin deletes their own account from /account, not here');
});

// A member's own data from /account: the download, streamed as one JSON document with each
// section and nothing of other members, and the deletion of the account, both after the password.
import { test } from 'tap';
import { testApp } from '../helpers/app.ts';
import { imposeSanction } from '../../server/moderation/sanctions/queries.ts';
import { notice } from '../../server/notifications/queries.ts';
import { createReply } from '../../server/threads/queries.ts';
import { ownDataPieces } from '../../server/members/export.ts';
import { linkUploads, recordUpload } from '../../server/uploads/queries.ts';

test('a member downloads their data after their password: one JSON file, every section, none of others', async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const member = await make.member();
  const other = await make.member();
  const admin = await make.member({ role: 'admin' });
  const othersThread = await make.thread({ by: other, title: 'Another member’s thread here', body: 'Another member’s words, not in the file.' });
  const othersPost = await db.selectFrom('posts').select('id').where('thread_id', '=', othersThread.id).executeTakeFirstOrThrow();
  const mine = await createReply(db, { threadId: othersThread.id, userId: member.id, body: 'My own reply, in the file.' });
  await db.insertInto('post_votes').values({ post_id: othersPost.id, user_id: member.id, value: 1 }).execute();
  await db.insertInto('post_likes').values({ post_id: othersPost.id, user_id: member.id }).execute();
  await db.insertInto('post_likes').values({ post_id: mine.id, user_id: other.id }).execute();
  await db.insertInto('flags').values({ post_id: othersPost.id, user_id: member.id, reason: 'spam', note: 'My flag note', weight: 2 }).execute();
  await db.insertInto('flags').values({ post_id: mine.id, user_id: other.id, reason: 'spam', note: 'Their flag note', weight: 2 }).execute();
  await db.transaction().execute((tx) => imposeSanction(tx, { kind: 'warn', reason: 'A warning for me', endsAt: null, member, by: admin.id, at: app.now() }));
  await notice(db, { userId: member.id, kind: 'sanction', message: 'A notice for me.' });
  await notice(db, { userId: other.id, kind: 'sanction', message: 'A notice for them.' });

  const browser = await signIn(member);
  const account = await browser.page('/account');
  t.ok(account.querySelector('a[href="/account/export"]'), 'the account page leads to the download');
  t.equal((await browser.get('/account/export')).statusCode, 200, 'which asks for the password');
  const wrong = await browser.submit('/account/export', { password: 'not my password at all' });
  t.equal(wrong.statusCode, 422, 'a wrong password is refused');
  t.ok(wrong.page().fieldErrors().password, 'beside its field');
  t.notMatch(wrong.body, 'not my password at all', 'and is not written back');

  const res = await browser.submit('/account/export', { password: member.password });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], 'application/json');
  t.match(res.headers['content-disposition'], /^attachment; filename="hearth-/);
  const data = JSON.parse(res.body);
  t.same(Object.keys(data), ['exported_at', 'profile', 'posts', 'votes', 'likes', 'flags', 'sanctions', 'notifications'], 'each section');
  t.equal(data.profile.username, member.username);
  t.equal(data.profile.email, member.email);
  t.notOk('password_hash' in data.profile, 'never the password’s hash');
  t.same(data.posts.map((p: { body: string }) => p.body), ['My own reply, in the file.']);
  t.same(data.votes.map((v: { post_id: number; value: number }) => [v.post_id, v.value]), [[othersPost.id, 1]]);
  t.same(data.likes.map((l: { post_id: number }) => l.post_id), [othersPost.id], 'the likes they gave, not those they got');
  t.same(data.flags.map((f: { note: string }) => f.note), ['My flag note']);
  t.same(data.sanctions.map((s: { reason: string }) => s.reason), ['A warning for me']);
  t.ok(data.notifications.some((n: { message: string }) => n.message === 'A notice for me.'), 'their notifications');
  t.ok(data.notifications.every((n: { message: string }) => n.message !== 'A notice for them.'), 'theirs alone');
  for (const theirs of [other.username, other.email, admin.username, 'Another member’s words', 'Their flag note', 'A notice for them.']) {
    t.notMatch(res.body, theirs, `nothing of other members: ${theirs}`);
  }
  const line = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.export').executeTakeFirstOrThrow();
  t.same([line.actor_id, line.target_id], [member.id, member.id], 'logged');
});

test('the document is written a page of rows at a time, and reads as one', async (t) => {
  const { make, db, app } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread({ by: member });
  for (let i = 0; i < 7; i++) await createReply(db, { threadId: thread.id, userId: member.id, body: `Reply number ${i}, of many.` });
  const pieces: string[] = [];
  for await (const piece of ownDataPieces(db, member.id, app.now(), 3)) pieces.push(piece);
  const posts = JSON.parse(pieces.join('')).posts;
  t.equal(posts.length, 8, 'every post, across pages of three');
  t.same(posts.map((p: { id: number }) => p.id), [...posts.map((p: { id: number }) => p.id)].sort((a, b) => a - b), 'in order, none twice');
  t.ok(pieces.filter((p) => p.includes('Reply number')).length >= 3, 'sent in several pieces');
});

test('a member deletes their account: the password and the box, then signed out, posts kept, uploads gone', async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread({ by: member, title: 'A thread the member started' });
  const key = `${'b'.repeat(40)}.txt`;
  await app.uploads.put(key, { bytes: Buffer.from('my file') }, 'text/plain');
  const firstPost = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  await recordUpload(db, { key, thumbKey: null, userId: member.id, name: 'mine.txt', kind: 'text', contentType: 'text/plain; charset=utf-8', size: 7, width: null, height: null, at: app.now() });
  await linkUploads(db, firstPost.id, member.id, [key]);
  const elsewhere = await signIn(member);
  const browser = await signIn(member);

  t.equal((await browser.get('/account/delete')).statusCode, 200);
  const unticked = await browser.submit('/account/delete', { password: member.password });
  t.equal(unticked.statusCode, 422, 'not without the box ticked');
  t.ok(unticked.page().fieldErrors().confirm);
  const wrong = await browser.submit('/account/delete', { password: 'not my password at all', confirm: 'yes' });
  t.equal(wrong.statusCode, 422, 'a wrong password is refused');
  t.equal(wrong.page().fieldErrors().password, 'That is not your password.', 'beside its field');
  t.equal((await browser.get('/account')).statusCode, 200, 'and the account stays');

  const res = await browser.submit('/account/delete', { password: member.password, confirm: 'yes' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/', 'to the home page');
  const home = await browser.page('/');
  t.match(home.messages().join(' '), 'Your account is deleted', 'with a notice');
  t.notOk(browser.session(), 'signed out');
  t.equal((await elsewhere.get('/account')).statusCode, 303, 'their other session ends at once');
  const page = await make.guest().page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector(`#post-${firstPost.id} .display-name`)?.text, 'deleted member', 'their thread stays, under "deleted member"');
  t.notOk(await app.uploads.exists(key), 'their uploads are erased');
  const row = await db.selectFrom('users').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow();
  t.same([row.username, row.email, row.bio, row.avatar], [`deleted-${member.id}`, `deleted-${member.id}@deleted.invalid`, '', null], 'scrubbed');
  t.ok(row.deleted_at);
  const line = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.delete').executeTakeFirstOrThrow();
  t.same([line.actor_id, line.target_id], [member.id, member.id], 'logged, by the member');
});

test('the only administrator cannot delete their own account', async (t) => {
  const { make, signIn } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  const browser = await signIn(admin);
  await browser.get('/account/delete');
  const res = await browser.submit('/account/delete', { password: admin.password, confirm: 'yes' });
  t.equal(res.statusCode, 422);
  t.match(res.page().messages().join(' '), 'only administrator');
});

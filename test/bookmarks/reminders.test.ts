import t from 'tap';
import { testApp } from '../helpers/app.ts';
import { scheduled } from '../../server/jobs/index.ts';

t.test('a reminder notifies once when it is due, and not before', async (t) => {
  const { make, signIn, db, app, clock } = await testApp(t);
  const member = await make.member();
  const thread = await make.thread({ title: 'A thread to come back to' });
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const reader = await signIn(member);
  await reader.get(`/t/${thread.id}/${thread.slug}`);
  // Two hours from the app's clock, said in UTC as a datetime-local field would.
  const at = new Date(app.now().getTime() + 2 * 3_600_000);
  const local = at.toISOString().slice(0, 16);
  const res = await reader.submit(`/p/${post.id}/bookmark`, { remind_at: local, timezone: 'UTC' });
  t.equal(res.statusCode, 303);

  const reminders = () => db.selectFrom('notifications').selectAll().where('user_id', '=', member.id).where('kind', '=', 'bookmark_reminder').execute();
  await scheduled.bookmark_reminders.run(db, app.log, app.now);
  t.equal((await reminders()).length, 0, 'not before its time');
  clock.advance(3 * 3600);
  await scheduled.bookmark_reminders.run(db, app.log, app.now);
  await scheduled.bookmark_reminders.run(db, app.log, app.now);
  const sent = await reminders();
  t.equal(sent.length, 1, 'once, however often the job runs');
  t.equal(sent[0].post_id, post.id);

  t.equal((await reader.page('/')).querySelector('#nav-notifications .badge')?.text, '1', 'the unread count has it at once');
  // The notifications page shows it, leading to the post.
  const page = await reader.page('/notifications');
  const item = page.querySelector('.notification[data-kind=bookmark_reminder]');
  t.ok(item, 'listed');
  t.match(item?.text, /reminder/i);
  t.match(item?.querySelector('button')?.text, /A thread to come back to/);
  t.ok(item?.querySelector('a.notice-link[href="/bookmarks"]'), 'and to the list');
  const bookmark = await reader.page('/bookmarks');
  t.match(bookmark.querySelector('.bookmark-item p.muted')?.text, /reminded/, 'the list says it was sent');
});

t.test('two runs of the job at once notify each reminder once', async (t) => {
  const { make, db, app, clock } = await testApp(t, { poolSize: 6 });
  const thread = await make.thread({ replies: 9 });
  const posts = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute();
  const members = await Promise.all(Array.from({ length: 6 }, () => make.member()));
  const due = new Date(app.now().getTime() + 60_000);
  await db.insertInto('bookmarks').values(members.flatMap((m) => posts.map((p) => ({ user_id: m.id, post_id: p.id, remind_at: due })))).execute();
  clock.advance(120);
  const runs = await Promise.all([0, 1, 2].map(() => scheduled.bookmark_reminders.run(db, app.log, app.now)));
  t.equal((runs as number[]).reduce((a, b) => a + b, 0), 60, 'the runs shared the work');
  const sent = await db.selectFrom('notifications').select(['user_id', 'post_id']).where('kind', '=', 'bookmark_reminder').execute();
  t.equal(sent.length, 60);
  t.equal(new Set(sent.map((n) => `${n.user_id}:${n.post_id}`)).size, 60, 'no reminder twice');
});

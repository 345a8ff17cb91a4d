import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { hidePost } from '../../server/moderation/holds.ts';
import { notice } from '../../server/notifications/queries.ts';
import { endSessionsOf } from '../../server/sessions/index.ts';
import { createReply } from '../../server/threads/queries.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';

const badge = (page: { querySelector(s: string): { text: string } | null }) => page.querySelector('#nav-notifications .badge')?.text ?? '0';

t.test('a member\'s kept session costs no query, and every change to what it carries reaches the next page', async (t) => {
  const { make, signIn, app, db } = await testApp(t);
  const member = await make.member({ username: 'kept' });
  const thread = await make.thread({ replies: 2 });
  const agent = await signIn(member);
  await agent.get('/search');
  await agent.get('/search');
  const before = app.queryCount();
  await agent.get(`/t/${thread.id}/${thread.slug}?page=1`);
  await agent.get(`/t/${thread.id}/${thread.slug}?page=1`);
  const q = app.queryCount();
  await agent.get(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal(app.queryCount() - q, 0, 'a thread page seen before costs a member no query at all');
  t.ok(q - before > 0, 'the first one did');

  // A notification written elsewhere: the count is right on the next page.
  await notice(db, { userId: member.id, kind: 'sanction', message: 'One' });
  t.equal(badge(await agent.page('/search')), '1', 'a new notification counts at once');
  await notice(db, { userId: member.id, kind: 'sanction', message: 'Two' });
  t.equal(badge(await agent.page('/search')), '2');

  // A reply notification whose post is hidden since stops counting.
  const other = await make.member();
  await db.insertInto('notifications').values({ user_id: member.id, kind: 'reply', thread_id: thread.id, post_id: (await createReply(db, { threadId: thread.id, userId: other.id, body: 'Hello kept' })).id, actor_id: other.id }).execute();
  t.equal(badge(await agent.page('/search')), '3');
  const last = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
  await hidePost(db, last.id, 'moderator');
  t.equal(badge(await agent.page('/search')), '2', 'a post hidden leaves the count');

  // A role given: the navigation has the queue at once.
  await db.updateTable('users').set({ role: 'moderator' }).where('id', '=', member.id).execute();
  t.ok((await agent.page('/search')).querySelector('.queue-link'), 'a new moderator sees the queue');
  await db.updateTable('users').set({ role: 'member' }).where('id', '=', member.id).execute();
  t.notOk((await agent.page('/search')).querySelector('.queue-link'));

  // Sessions ended (a ban): signed out on the next page.
  await endSessionsOf(db, member.id);
  t.equal((await agent.page('/search')).querySelector('.nav-user'), null, 'a session ended elsewhere signs the member out');
});

t.test('a member\'s likes, read position and watch level, changed anywhere, show on their next page', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, replies: 3 });
  const url = `/t/${thread.id}/${thread.slug}?page=1`;
  const reader = await make.member();
  const agent = await signIn(reader);
  await agent.get(url);
  const posts = await db.selectFrom('posts').select(['id', 'post_number']).where('thread_id', '=', thread.id).orderBy('post_number').execute();
  t.equal((await agent.page(url)).querySelector(`#likes-${posts[1].id} .like-button`)?.text, 'Like');

  await db.insertInto('post_likes').values({ post_id: posts[1].id, user_id: reader.id }).execute();
  t.equal((await agent.page(url)).querySelector(`#likes-${posts[1].id} .like-button`)?.text, 'Liked', 'a like written elsewhere shows');
  await db.insertInto('thread_watches').values({ user_id: reader.id, thread_id: thread.id, level: 'muted' }).execute();
  t.equal((await agent.page(url)).querySelector('#watch-level option[selected]')?.getAttribute('value'), 'muted', 'so does a watch level');
  await db.updateTable('thread_reads').set({ last_read_post_number: 2 }).where('user_id', '=', reader.id).where('thread_id', '=', thread.id).execute();
  t.equal((await agent.page(url)).querySelector('#unread + article')?.getAttribute('id'), `post-${posts[2].id}`, 'and a read position');
});

t.test('two processes: a change written through one reaches the member\'s session kept in the other', async (t) => {
  const { make, signIn, databaseUrl, db } = await testApp(t);
  const b = await buildApp(testConfig(databaseUrl, { poolSize: 2 }));
  t.teardown(() => b.close());
  const member = await make.member();
  const onA = await signIn(member);
  const onB = new Agent(b);
  onB.cookies = new Map(onA.cookies);
  await onB.get('/search');
  t.equal(badge(await onB.page('/search')), '0');
  await notice(db, { userId: member.id, kind: 'sanction', message: 'Heard in B' });
  await b.pageCache!.sync();
  t.equal(badge(await onB.page('/search')), '1', 'B counts it');
  // Signing out in A ends the session B had kept.
  await onA.get('/search');
  t.equal((await onA.submit('/logout')).statusCode, 303, 'signs out in A');
  await b.pageCache!.sync();
  t.equal((await onB.page('/search')).querySelector('.nav-user'), null, 'signed out in B too');
});

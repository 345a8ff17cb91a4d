// A member flags a post; a moderator works the queue (in place with JavaScript, by plain forms
// and redirects without); the flagger reads the outcome in their notifications.
import t from 'tap';
import { raiseFlag } from '../../server/moderation/flags/queries.ts';
import { openPostItem } from '../../server/moderation/items.ts';
import { createReply } from '../../server/threads/queries.ts';
import { browserApp } from '../helpers/browser.ts';

type App = Awaited<ReturnType<typeof browserApp>>;

/** A thread of replies by one author, in a category of its own. */
async function setUp({ make, db }: App, replies: number, suffix: string) {
  await make.category({ name: 'General', slug: 'general' });
  const author = await make.member({ username: `author_${suffix}`, rank: 1 });
  const flagger = await make.member({ username: `flagger_${suffix}`, rank: 2 });
  const moderator = await make.member({ username: `moderator_${suffix}`, role: 'moderator' });
  const thread = await make.thread({ by: author, replies, title: 'Favourite hiking trails' });
  const posts = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).orderBy('post_number').execute();
  return { author, flagger, moderator, thread, threadUrl: `/t/${thread.id}/${thread.slug}`, replies: posts.slice(1).map((p) => p.id) };
}

t.test('the queue with JavaScript on: flag in place, resolve in place, hear the outcome', async (t) => {
  const app = await browserApp(t);
  const { errors, db, make, signInPage } = app;
  const s = await setUp(app, 24, 'js');

  // The member flags a reply: the form opens under the post and thanks them in place.
  const member = await signInPage(s.flagger);
  await member.goto(s.threadUrl);
  await member.locator(`#post-${s.replies[0]} a.flag-link`).click();
  await member.getByLabel('Offensive').check();
  await member.getByLabel('Note for the moderators').fill('Calls another member names');
  await member.getByRole('button', { name: 'Flag post' }).click();
  await member.waitForSelector(`#post-${s.replies[0]} .flag-thanks`);
  t.equal(await member.locator('.flag-thanks').textContent(), 'Thanks, moderators will look at it.');
  t.match(member.url(), new RegExp(`${s.threadUrl}$`), 'without leaving the thread');

  // 23 more items: more than one page of the queue holds (20).
  const other = await make.member({ username: 'another_flagger', rank: 2 });
  for (const postId of s.replies.slice(1)) {
    await raiseFlag(db, { postId, flagger: { id: other.id, username: other.username, role: other.role, rank: other.rank }, reason: 'off_topic', note: '', at: new Date() });
  }

  const mod = await signInPage(s.moderator);
  await mod.goto('/mod');
  t.equal(await mod.locator('#queue-count').textContent(), '24', 'the navigation counts the open items');
  t.equal(await mod.locator('article.queue-item').count(), 20);
  const first = mod.locator('article.queue-item').first();
  t.match(await first.locator('.queue-flag').first().textContent(), /Offensive from flagger_js.*Calls another member names/s, 'the member\'s flag, with their note');
  // A page load would lose this.
  await mod.evaluate(() => Object.assign(window, { queueMarker: 'kept' }));

  const started = performance.now();
  for (let i = 0; i < 10; i++) {
    const item = mod.locator('article.queue-item').first();
    const id = await item.getAttribute('data-item-id');
    await item.getByRole('button', { name: i === 0 ? 'Hide' : 'Dismiss flags', exact: true }).click();
    await mod.waitForSelector(`#item-${id}`, { state: 'detached' });
  }
  const seconds = (performance.now() - started) / 1000;
  t.comment(`queue actions per minute: ${Math.round((10 / seconds) * 60)} (10 actions in ${seconds.toFixed(2)} s, JavaScript on)`);

  t.equal(await mod.evaluate(() => (window as unknown as { queueMarker?: string }).queueMarker), 'kept', 'no page load');
  t.match(mod.url(), /\/mod$/);
  t.equal(await mod.locator('article.queue-item').count(), 14, 'the four items beyond the first page came in as others left');
  t.equal(await mod.locator('#queue-count').textContent(), '14', 'the count follows');
  t.equal(await mod.locator('#queue-status').textContent(), 'Flags dismissed.');
  const open = await db.selectFrom('queue_items').select('id').where('status', '=', 'open').execute();
  t.equal(open.length, 14);
  t.ok((await db.selectFrom('posts').select('hidden_at').where('id', '=', s.replies[0]).executeTakeFirstOrThrow()).hidden_at, 'the flagged reply is hidden');

  // Edit and approve, in place too.
  const item = mod.locator('article.queue-item').first();
  const id = await item.getAttribute('data-item-id');
  await item.locator('summary').click();
  await item.getByLabel('Post').fill('Reply, with the link taken out');
  await item.getByRole('button', { name: 'Save and approve' }).click();
  await mod.waitForSelector(`#item-${id}`, { state: 'detached' });
  t.equal(await mod.locator('#queue-status').textContent(), 'Edited and approved.');

  await member.goto('/notifications');
  const told = member.locator('.notification[data-kind="flag_outcome"] .notice-message');
  t.match(await told.textContent(), /agreed and acted on it/, 'the flagger hears the outcome');
  t.same(errors, [], 'no script or CSP errors');
});

t.test('the queue with JavaScript off: plain forms and redirects', async (t) => {
  const app = await browserApp(t);
  const { errors, db, make, signInPage } = app;
  const s = await setUp(app, 2, 'plain');
  const newcomer = await make.member({ username: 'newcomer_plain', rank: 0 });
  const held = await createReply(db, {
    threadId: s.thread.id, userId: newcomer.id, body: 'My first post here', hold: 'newcomer',
    onWritten: async (tx, postId) => void (await openPostItem(tx, { kind: 'approval', postId })),
  });

  const member = await signInPage(s.flagger, { javaScript: false });
  await member.goto(s.threadUrl);
  await member.locator(`#post-${s.replies[1]} a.flag-link`).click();
  await member.waitForURL(`**/p/${s.replies[1]}/flag`);
  t.equal(await member.locator('h1').textContent(), 'Flag a post', 'a page of its own');
  await member.getByRole('button', { name: 'Flag post' }).click();
  t.match(await member.locator('.field-error').textContent(), /Choose why/, 'a reason is needed');
  await member.getByLabel('Something else').check();
  await member.getByRole('button', { name: 'Flag post' }).click();
  t.match(await member.locator('#error-note').textContent(), /Tell the moderators/, '“Something else” needs a note');
  await member.getByLabel('Note for the moderators').fill('Copied from another site');
  await member.getByRole('button', { name: 'Flag post' }).click();
  await member.waitForURL(`**${s.threadUrl}?page=1#post-${s.replies[1]}`);
  t.equal(await member.locator('.flash[role=status]').textContent(), 'Thanks, moderators will look at it.');

  const mod = await signInPage(s.moderator, { javaScript: false });
  await mod.goto('/mod');
  t.equal(await mod.locator('article.queue-item').count(), 2);
  await mod.locator(`article[data-kind="approval"]`).getByRole('button', { name: 'Approve', exact: true }).click();
  await mod.waitForURL('**/mod');
  t.equal(await mod.locator('.flash[role=status]').textContent(), 'Approved.');
  t.equal(await mod.locator('article.queue-item').count(), 1);
  const flagged = mod.locator('article.queue-item').first();
  await flagged.getByRole('textbox', { name: /the author sees it/ }).fill('Not ours to republish');
  await flagged.getByRole('button', { name: 'Delete', exact: true }).click();
  await mod.waitForURL('**/mod');
  t.equal(await mod.locator('.flash[role=status]').textContent(), 'Deleted: its author is told.');
  t.equal(await mod.locator('#queue-all-done').count(), 1, 'all done');
  t.equal((await db.selectFrom('posts').select('pending_at').where('id', '=', held.id).executeTakeFirstOrThrow()).pending_at, null);

  await member.goto('/notifications');
  t.match(await member.locator('.notification[data-kind="flag_outcome"] .notice-message').textContent(), /agreed and acted on it/);
  const author = await signInPage(s.author, { javaScript: false });
  await author.goto('/notifications');
  t.match(await author.locator('.notification[data-kind="post_deleted"] .notice-message').textContent(), /deleted your post.*Not ours to republish/);
  t.same(errors, [], 'no script or CSP errors');
});

// Privileges that follow rank, through the real routes and forms: renaming a thread, editing its
// tags and moving it from rank 3 (Advocate); closing it as a duplicate and reopening one so
// closed from rank 4 (Ambassador). Each is refused one rank below, allowed at its rank, logged
// like a moderator's action, and offered on the thread page to exactly those who may, the page
// plain members share included. And each post carries its author's rank, which a kept page
// follows when the rank changes.
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { threadEditRefusal, threadEditsFor, threadEditsKey, type EditedThread, type Viewer } from '../../server/permissions.ts';
import { addWatchedWord } from '../../server/moderation/posting/watched-words.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';

/** Tokens differ on every page; the rest of two renderings of one page must not. */
const normalized = (html: string) =>
  html.replace(/(name="_csrf" value=")[^"]*"/g, '$1"').replace(/(<meta name="csrf-token" content=")[^"]*"/, '$1"');

t.test('thread edits by rank and role, by table', async (t) => {
  const now = new Date('2026-03-01T12:00:00Z');
  const member = (rank: number, extra: Partial<Viewer> = {}): Viewer => ({ id: 9, username: 'm', role: 'member', rank, ...extra });
  const open: EditedThread = { user_id: 1, deleted_at: null, hidden_at: null, pending_at: null, read_role: null, read_rank: 0, locked_at: null, duplicate_of: null };
  const locked = { ...open, locked_at: now };
  const duplicate = { ...locked, duplicate_of: 7 };
  const hidden = { ...open, hidden_at: now };
  const silenced = member(3, { silencedUntil: new Date(now.getTime() + 3600_000) });
  const moderator: Viewer = { id: 8, username: 'mo', role: 'moderator', rank: 0 };
  // Who, on what thread: the edits offered, as retitle retag move close-duplicate reopen-duplicate.
  const cases: [string, Viewer | null, EditedThread, string][] = [
    ['a guest', null, open, '00000'],
    ['rank 2', member(2), open, '00000'],
    ['rank 3', member(3), open, '11100'],
    ['rank 4', member(4), open, '11110'],
    ['rank 4, a duplicate', member(4), duplicate, '00001'],
    ['rank 3, a duplicate', member(3), duplicate, '00000'],
    ['rank 4, locked by a moderator', member(4), locked, '00000'],
    ['rank 4, hidden', member(4), hidden, '00000'],
    ['rank 3, silenced', silenced, open, '00000'],
    ['a moderator at rank 0', moderator, open, '11110'],
    ['a moderator, a duplicate', moderator, duplicate, '11101'],
  ];
  for (const [who, viewer, thread, expected] of cases) t.equal(threadEditsKey(threadEditsFor(viewer, thread, now)), expected, who);
  t.equal(threadEditRefusal(member(2), 'retitle', open, now)?.statusCode, 403);
  t.match(threadEditRefusal(member(3), 'close duplicate', open, now)?.message, /rank 4 \(Ambassador\)/);
});

async function setup(t: Parameters<typeof testApp>[0]) {
  const env = await testApp(t);
  const { db, make } = env;
  const author = await make.member({ username: 'author' });
  const help = await make.category({ name: 'Help', slug: 'help' });
  const ideas = await make.category({ name: 'Ideas', slug: 'ideas' });
  // Only Ambassadors start threads here: an Advocate may not move one in.
  const inner = await make.category({ name: 'Inner circle', slug: 'inner' });
  await db.updateTable('categories').set({ post_rank: 4 }).where('id', '=', inner.id).execute();
  const thread = (title: string, categoryId = help.id) =>
    createThread(db, { categoryId, userId: author.id, title, body: `${title}: the first post.`, tags: ['billing'] });
  const logged = (action: string, threadId: number) =>
    db.selectFrom('staff_log').select(['actor_id', 'before', 'after']).where('action', '=', action).where('target_id', '=', threadId).execute();
  const threadRow = (id: number) =>
    db.selectFrom('threads').select(['title', 'slug', 'category_id', 'locked_at', 'duplicate_of']).where('id', '=', id).executeTakeFirstOrThrow();
  const tagsOf = async (id: number) =>
    (await db.selectFrom('thread_tags as tt').innerJoin('tags as g', 'g.id', 'tt.tag_id').select('g.name').where('tt.thread_id', '=', id).orderBy('g.name').execute()).map((r) => r.name);
  const at = async (rank: number) => env.signIn(await make.member({ rank, username: `rank${rank}_${Math.random().toString(36).slice(2, 7)}` }));
  return { ...env, author, help, ideas, inner, thread, logged, threadRow, tagsOf, at };
}

t.test('renaming a thread: refused at rank 2, done at rank 3, logged', async (t) => {
  const { thread, at, threadRow, logged } = await setup(t);
  const th = await thread('How do refunds work');
  const contributor = await at(2);
  await contributor.get(`/t/${th.id}/${th.slug}`);
  const refused = await contributor.submit(`/t/${th.id}/title`, { title: 'A better title for this' });
  t.equal(refused.statusCode, 403);
  t.match(refused.page().messages().join(' '), /rank 3 \(Advocate\)/);
  t.equal((await threadRow(th.id)).title, 'How do refunds work', 'unchanged');

  const advocate = await at(3);
  await advocate.get(`/t/${th.id}/${th.slug}`);
  const short = await advocate.submit(`/t/${th.id}/title`, { title: 'Hm' });
  t.equal(short.statusCode, 422, 'too short a title');
  t.match(short.page().fieldErrors()['edit-title'], /Titles are/);
  t.equal(short.page().querySelector('#edit-title')?.getAttribute('value'), 'Hm', 'the input is kept');
  const done = await advocate.submit(`/t/${th.id}/title`, { title: 'How refunds work, step by step' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/t/${th.id}/how-refunds-work-step-by-step`);
  const row = await threadRow(th.id);
  t.equal(row.title, 'How refunds work, step by step');
  const page = await advocate.page(done.headers.location as string);
  t.equal(page.h1(), 'How refunds work, step by step');
  const [line] = await logged('thread.retitle', th.id);
  t.ok(line, 'in the staff log');
  t.same(line.before, { title: 'How do refunds work' });
  t.same(line.after, { title: 'How refunds work, step by step' });
});

t.test('a new title is screened by the watched words, as an edit is', async (t) => {
  const { thread, at, threadRow, db, author } = await setup(t);
  await addWatchedWord(db, { word: 'scam', action: 'block', by: author.id });
  await addWatchedWord(db, { word: 'refund', action: 'require_approval', by: author.id });
  const th = await thread('Where is my order');
  const advocate = await at(3);
  await advocate.get(`/t/${th.id}/${th.slug}`);
  const blocked = await advocate.submit(`/t/${th.id}/title`, { title: 'Is this shop a scam' });
  t.equal(blocked.statusCode, 422, 'a blocked word refuses it');
  const held = await advocate.submit(`/t/${th.id}/title`, { title: 'Where is my refund' });
  t.equal(held.statusCode, 422, 'a word held for review refuses it');
  t.match(held.page().fieldErrors()['edit-title'], /refund/);
  t.equal((await threadRow(th.id)).title, 'Where is my order');
});

t.test('editing tags: refused at rank 2, done at rank 3, logged', async (t) => {
  const { thread, at, tagsOf, logged } = await setup(t);
  const th = await thread('Tags to tidy up');
  const contributor = await at(2);
  await contributor.get(`/t/${th.id}/${th.slug}`);
  t.equal((await contributor.submit(`/t/${th.id}/tags`, { tags: 'refunds' })).statusCode, 403);
  t.same(await tagsOf(th.id), ['billing']);

  const advocate = await at(3);
  await advocate.get(`/t/${th.id}/${th.slug}`);
  const bad = await advocate.submit(`/t/${th.id}/tags`, { tags: 'refunds, no/slashes' });
  t.equal(bad.statusCode, 422);
  t.equal(bad.page().querySelector('#edit-tags')?.getAttribute('value'), 'refunds, no/slashes', 'the input is kept');
  t.equal((await advocate.submit(`/t/${th.id}/tags`, { tags: 'Billing, refunds' })).statusCode, 303);
  t.same(await tagsOf(th.id), ['billing', 'refunds']);
  const [line] = await logged('thread.retag', th.id);
  t.same([line.before, line.after], [{ tags: ['billing'] }, { tags: ['billing', 'refunds'] }]);
  t.ok((await advocate.page('/tag/refunds')).querySelector(`a[href^="/t/${th.id}/"]`), 'listed under its new tag');
});

t.test('moving a thread: refused at rank 2, done at rank 3 into a category the member may post in', async (t) => {
  const { thread, at, threadRow, logged, ideas, inner, help } = await setup(t);
  const th = await thread('This belongs with the ideas');
  const contributor = await at(2);
  await contributor.get(`/t/${th.id}/${th.slug}`);
  t.equal((await contributor.submit(`/t/${th.id}/move`, { category: 'ideas' })).statusCode, 403);

  const advocate = await at(3);
  await advocate.get(`/t/${th.id}/${th.slug}`);
  const closed = await advocate.submit(`/t/${th.id}/move`, { category: 'inner' });
  t.equal(closed.statusCode, 403, 'not where they may not start a thread');
  t.match(closed.page().fieldErrors()['edit-category'], /where you may start threads/);
  t.equal(closed.page().querySelector('#edit-category')?.getAttribute('value'), 'inner', 'the input is kept');
  t.equal((await threadRow(th.id)).category_id, help.id);
  t.equal((await advocate.submit(`/t/${th.id}/move`, { category: 'ideas' })).statusCode, 303);
  t.equal((await threadRow(th.id)).category_id, ideas.id);
  const [line] = await logged('thread.move', th.id);
  t.same([line.before, line.after], [{ category: 'help' }, { category: 'ideas' }]);
  t.not(inner.id, ideas.id);
});

t.test('closing as a duplicate and reopening: refused at rank 3, done at rank 4, shown on the thread', async (t) => {
  const { thread, at, threadRow, logged, make, db, signIn, author } = await setup(t);
  const original = await thread('How to export invoices');
  const copy = await thread('Exporting my invoices?');
  const advocate = await at(3);
  await advocate.get(`/t/${copy.id}/${copy.slug}`);
  const refused = await advocate.submit(`/t/${copy.id}/duplicate`, { into: `/t/${original.id}/${original.slug}` });
  t.equal(refused.statusCode, 403);
  t.match(refused.page().messages().join(' '), /rank 4 \(Ambassador\)/);
  t.equal((await threadRow(copy.id)).duplicate_of, null);

  const ambassador = await at(4);
  await ambassador.get(`/t/${copy.id}/${copy.slug}`);
  const self = await ambassador.submit(`/t/${copy.id}/duplicate`, { into: String(copy.id) });
  t.equal(self.statusCode, 422, 'not a duplicate of itself');
  t.equal(self.page().querySelector('#edit-into')?.getAttribute('value'), String(copy.id), 'the input is kept');
  const done = await ambassador.submit(`/t/${copy.id}/duplicate`, { into: `/t/${original.id}/${original.slug}` });
  t.equal(done.statusCode, 303);
  const row = await threadRow(copy.id);
  t.equal(row.duplicate_of, original.id);
  t.ok(row.locked_at, 'locked');
  const [line] = await logged('thread.duplicate', copy.id);
  t.equal(line.actor_id !== null, true);
  t.match(line.after, { duplicate_of: original.id, locked: true });

  // Everyone reading it sees where the answer is (guests and members alike); replies are over.
  const writer = await signIn(author);
  for (const reader of [make.guest(), writer]) {
    const page = await reader.page(`/t/${copy.id}/${copy.slug}`);
    const link = page.querySelector('.thread-duplicate a.duplicate-of');
    t.equal(link?.getAttribute('href'), `/t/${original.id}/${original.slug}`);
    t.equal(link?.text, 'How to export invoices');
  }
  await writer.get(`/t/${copy.id}/${copy.slug}`);
  t.equal((await writer.submit(`/t/${copy.id}/replies`, { body: 'But my question is different, really.' })).statusCode, 409, 'no more replies');

  // Reopening: an Advocate may not, an Ambassador may.
  await advocate.get(`/t/${copy.id}/${copy.slug}`);
  t.equal((await advocate.submit(`/t/${copy.id}/reopen`)).statusCode, 403);
  await ambassador.get(`/t/${copy.id}/${copy.slug}`);
  t.equal((await ambassador.submit(`/t/${copy.id}/reopen`)).statusCode, 303);
  const reopened = await threadRow(copy.id);
  t.same([reopened.duplicate_of, reopened.locked_at], [null, null]);
  t.equal((await logged('thread.reopen', copy.id)).length, 1, 'logged');
  t.notOk((await make.guest().page(`/t/${copy.id}/${copy.slug}`)).querySelector('.thread-duplicate'), 'the link is gone');
  // An Ambassador does not reopen what a moderator closed after a time.
  await db.updateTable('threads').set({ closes_at: new Date(Date.now() - 1000) }).where('id', '=', copy.id).execute();
  await ambassador.get(`/t/${copy.id}/${copy.slug}`);
  t.equal((await ambassador.submit(`/t/${copy.id}/reopen`)).statusCode, 403);
});

t.test('the controls show to those allowed only, on the page members share as on a page of their own', async (t) => {
  const { thread, at, app, databaseUrl, make } = await setup(t);
  const alone = await buildApp(testConfig(databaseUrl, { pageCache: false }));
  t.teardown(() => alone.close());
  const th = await thread('A page with controls');
  const url = `/t/${th.id}/${th.slug}`;
  const expected: Record<number, string[]> = {
    1: [],
    2: [],
    3: ['retitle', 'retag', 'move'],
    4: ['retitle', 'retag', 'move', 'duplicate'],
  };
  // Twice round, so that each rank is also served a page another rank filled the cache with.
  for (const round of [1, 2]) {
    for (const rank of [4, 2, 3, 1]) {
      const agent = await at(rank);
      await agent.get('/search'); // the "signed in" message is shown once, here
      const other = new Agent(alone);
      other.cookies = new Map(agent.cookies);
      const shared = await agent.get(url);
      const own = await other.get(url);
      t.equal(normalized(shared.body), normalized(own.body), `rank ${rank}, round ${round}: the shared page is the page rendered alone`);
      const actions = shared.page().querySelectorAll('.thread-edits form').map((f) => f.getAttribute('data-action'));
      t.same(actions, expected[rank], `rank ${rank} is offered ${expected[rank].join(', ') || 'nothing'}`);
    }
  }
  t.equal((await make.guest().page(url)).querySelectorAll('.thread-edits').length, 0, 'guests see none');
  t.ok(app.pageCache?.memberPages.on, 'members share pages here');
});

t.test('each post carries its author\'s rank, and a kept page follows a change of rank', async (t) => {
  const { make, db, signIn, thread, author } = await setup(t);
  const th = await thread('Whose rank shows');
  const url = `/t/${th.id}/${th.slug}`;
  const guest = make.guest();
  const reader = await signIn(await make.member());
  const rankOn = async (agent: Agent) => (await agent.page(url)).querySelector(`article.post .rank`)?.text;
  t.equal(await rankOn(guest), 'Member', 'a guest sees the author\'s rank');
  t.equal(await rankOn(reader), 'Member', 'so does a member');
  // Read again, so that what is kept is the page itself, after the first visit's own writes (read marks).
  t.equal(await rankOn(guest), 'Member');
  t.equal(await rankOn(reader), 'Member');
  // Both pages are kept now: the rank job (or an accepted nomination) writes the rank.
  await db.updateTable('users').set({ rank: 3, rank_changed_at: new Date() }).where('id', '=', author.id).execute();
  t.equal(await rankOn(guest), 'Advocate', 'the guests\' kept page is read again');
  t.equal(await rankOn(reader), 'Advocate', 'the members\' shared page too');
});

t.test('a question\'s page shows each post\'s author\'s rank too', async (t) => {
  const { make, db, help, author } = await setup(t);
  const expert = await make.member({ rank: 4 });
  const q = await createThread(db, { categoryId: help.id, userId: author.id, title: 'How do I reset my password', body: 'It says the link expired.', kind: 'question' });
  const a = await createReply(db, { threadId: q.id, userId: expert.id, body: 'Ask for a new link: each lasts an hour.' });
  const page = await make.guest().page(`/t/${q.id}/${q.slug}`);
  t.equal(page.querySelector(`#post-${q.postId} .rank`)?.text, 'Member');
  t.equal(page.querySelector(`#post-${a.id} .rank`)?.text, 'Ambassador');
});

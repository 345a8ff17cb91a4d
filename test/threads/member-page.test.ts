import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { holdPost } from '../../server/moderation/holds.ts';
import { createReply } from '../../server/threads/queries.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';

/** Tokens differ on every page; the rest of two renderings of one page must not. */
const normalized = (html: string) =>
  html.replace(/(name="_csrf" value=")[^"]*"/g, '$1"').replace(/(<meta name="csrf-token" content=")[^"]*"/, '$1"');

t.test('a member\'s page from the shared rendering is the page rendered for them alone', async (t) => {
  const { make, signIn, app, db, databaseUrl } = await testApp(t);
  // The same database and sessions, without the shared rendering (nor any page cache).
  const alone = await buildApp(testConfig(databaseUrl, { pageCache: false }));
  t.teardown(() => alone.close());

  const [ann, ben, cat, dee] = [await make.member({ username: 'ann' }), await make.member({ username: 'ben' }), await make.member({ username: 'cat' }), await make.member({ username: 'dee' })];
  const thread = await make.thread({ by: ann, title: 'Shared between members' });
  const posts: number[] = [];
  for (let i = 2; i <= 30; i++) {
    const by = [ann, ben, dee][i % 3];
    posts[i] = (await createReply(db, { threadId: thread.id, userId: by.id, body: `Reply number ${i}` })).id;
  }
  // Cat's own reply on page 2 waits for approval: only cat (and moderators) see it.
  const held = await createReply(db, { threadId: thread.id, userId: cat.id, body: 'Held for approval' });
  await holdPost(db, held.id, 'newcomer');
  await db.updateTable('posts').set({ edit_count: 1 }).where('id', 'in', [posts[4], posts[5]]).execute();
  await db.insertInto('post_likes').values([posts[2], posts[3], posts[21]].map((post_id) => ({ post_id, user_id: ben.id }))).execute();
  await db.insertInto('thread_watches').values({ user_id: ben.id, thread_id: thread.id, level: 'watching' }).execute();
  // Ben's bookmarks, and dee's draft of a reply (the reply box is on the last page, 2).
  await db.insertInto('bookmarks').values([posts[3], posts[22]].map((post_id) => ({ post_id, user_id: ben.id }))).execute();
  await db.insertInto('drafts').values({ user_id: dee.id, draft_key: `thread:${thread.id}`, body: 'Half written, with <em>markup</em> & "quotes"' }).execute();

  const readTo: Record<string, number | null> = { ann: 5, ben: null, cat: 31, dee: 25 };
  async function setRead(userId: number, upTo: number | null) {
    await db.deleteFrom('thread_reads').where('user_id', '=', userId).where('thread_id', '=', thread.id).execute();
    if (upTo !== null) await db.insertInto('thread_reads').values({ user_id: userId, thread_id: thread.id, last_read_post_number: upTo }).execute();
  }

  for (const member of [ann, ben, cat, dee]) {
    const agent = await signIn(member);
    await agent.get('/search'); // the "signed in" message is shown once, here
    const other = new Agent(alone);
    other.cookies = new Map(agent.cookies);
    for (const page of [1, 2]) {
      const url = `/t/${thread.id}/${thread.slug}?page=${page}`;
      const bodies: string[] = [];
      const queries: number[] = [];
      for (const [who, on] of [[agent, app], [agent, app], [other, alone]] as const) {
        await setRead(member.id, readTo[member.username]);
        const before = on.queryCount();
        const res = await who.get(url);
        queries.push(on.queryCount() - before);
        t.equal(res.statusCode, 200);
        bodies.push(normalized(res.body));
      }
      t.equal(bodies[0], bodies[2], `${member.username}, page ${page}: shared rendering (first) as rendered alone`);
      t.equal(bodies[1], bodies[2], `${member.username}, page ${page}: shared rendering (kept) as rendered alone`);
      if (member !== cat || page === 1) t.ok(queries[1] < queries[2], `${member.username}, page ${page}: the kept rendering costs fewer queries (${queries[1]} < ${queries[2]})`);
    }
  }

  // What differs between them is there: links on one's own posts, likes, the unread marker, the watch level.
  const annPage = await (await signIn(ann)).page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.ok(annPage.querySelector(`#post-${posts[3]} a[href="/p/${posts[3]}/edit"]`), 'ann edits her own post');
  t.notOk(annPage.querySelector(`#post-${posts[4]} a[href="/p/${posts[4]}/edit"]`), 'not ben\'s');
  t.ok(annPage.querySelector(`#post-${posts[4]} span.edited`) && !annPage.querySelector(`#post-${posts[4]} a.edited`), 'nor his revisions');
  t.equal(annPage.querySelector('.nav-user')?.text, 'ann');
  const benPage = await (await signIn(ben)).page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal(benPage.querySelector(`#likes-${posts[2]} .like-button`)?.text, 'Liked');
  t.equal(benPage.querySelector(`#likes-${posts[6]} .like-button`)?.text, 'Like');
  t.equal(benPage.querySelector('#watch-level option[selected]')?.getAttribute('value'), 'watching');
  t.ok(benPage.querySelector(`#post-${posts[4]} a.edited`), 'ben sees his own post\'s revisions');
  t.equal(benPage.querySelector('.nav-user')?.text, 'ben');
  t.equal(benPage.querySelector(`#bookmark-${posts[3]} .bookmark-button`)?.getAttribute('aria-pressed'), 'true', 'ben\'s bookmark');
  t.equal(annPage.querySelector(`#bookmark-${posts[3]} .bookmark-button`)?.getAttribute('aria-pressed'), 'false', 'not ann\'s');
  const deeLast = await (await signIn(dee)).page(`/t/${thread.id}/${thread.slug}?page=2`);
  t.equal(deeLast.querySelector('form.reply-form textarea[name=body]')?.text, 'Half written, with <em>markup</em> & "quotes"', 'dee\'s draft in the reply box');
  await setRead(dee.id, 5);
  const deePage = await (await signIn(dee)).page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal(deePage.querySelector('#unread + article')?.getAttribute('id'), `post-${posts[6]}`, 'the marker before the first unread post');
});

t.test('a write to the thread reaches members at once; staff never get the shared page', async (t) => {
  const { make, signIn, app, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, replies: 3 });
  const url = `/t/${thread.id}/${thread.slug}?page=1`;
  const reader = await signIn(await make.member());
  await reader.get(url);
  t.equal((await reader.page(url)).querySelectorAll('article.post').length, 4);
  await createReply(db, { threadId: thread.id, userId: author.id, body: 'A new one' });
  t.equal((await reader.page(url)).querySelectorAll('article.post').length, 5, 'the new reply shows');

  const mod = await signIn(await make.member({ role: 'moderator' }));
  await mod.get(url);
  const before = app.queryCount();
  const page = await mod.page(url);
  t.ok(app.queryCount() - before >= 2, 'a moderator\'s page is read and rendered for them (their session is kept)');
  t.ok(page.querySelector('.queue-link'), 'with their navigation');
  t.ok(page.querySelector('.staff-actions'), 'and the thread\'s staff actions');
});

t.test('the thread route decides a member\'s shared page as it decides the page rendered alone, from what is kept', async (t) => {
  const { make, signIn, app, databaseUrl } = await testApp(t);
  const alone = await buildApp(testConfig(databaseUrl, { pageCache: false }));
  t.teardown(() => alone.close());
  const thread = await make.thread({ replies: 25 });
  const agent = await signIn(await make.member());
  await agent.get('/search');
  const other = new Agent(alone);
  other.cookies = new Map(agent.cookies);
  const cost = async (url: string) => {
    const before = app.queryCount();
    const res = await agent.get(url);
    return { res, queries: app.queryCount() - before };
  };

  // First sight: the thread, its posts, the member's facts, the read mark; then the facts again
  // (the mark changed them); then nothing at all.
  const page1 = `/t/${thread.id}/${thread.slug}?page=1`;
  const costs = [];
  for (let i = 0; i < 3; i++) costs.push((await cost(page1)).queries);
  t.same(costs, [4, 1, 0], 'the shared page costs what it did');

  // Read to post 20 of 26: coming back opens page 2 at the marker; an old slug leads to the
  // thread's address; page 9 is not there. Each answered from the kept page, as rendered alone.
  const cases = [
    [`/t/${thread.id}/${thread.slug}`, 303],
    [`/t/${thread.id}/an-old-slug?page=1`, 301],
    [`/t/${thread.id}/${thread.slug}?page=9`, 404],
  ] as const;
  for (const [url, status] of cases) {
    const shared = await cost(url);
    const lone = await other.get(url);
    t.equal(shared.res.statusCode, status, `${url}: ${status}`);
    t.equal(lone.statusCode, status, `${url}: ${status} rendered alone`);
    t.equal(shared.res.headers.location, lone.headers.location, `${url}: to the same place`);
    if (status !== 404) t.equal(shared.queries, 0, `${url}: decided without a query`);
  }
  t.equal((await cost(`/t/${thread.id}/${thread.slug}?page=2`)).queries, 4, 'page 2 seen first: as page 1');
});

t.test('a question\'s page is shared too: each member\'s votes and the asker\'s accept buttons are filled in as rendered alone', async (t) => {
  const { make, signIn, app, db, databaseUrl } = await testApp(t);
  const alone = await buildApp(testConfig(databaseUrl, { pageCache: false }));
  t.teardown(() => alone.close());

  // Ann asks; ben (rank 2) votes up and down; cat (rank 1) votes up; dee answers and votes on nothing.
  const [ann, ben, cat, dee] = [
    await make.member({ username: 'qann' }), await make.member({ username: 'qben', rank: 2 }),
    await make.member({ username: 'qcat' }), await make.member({ username: 'qdee' }),
  ];
  const thread = await make.thread({ by: ann, kind: 'question', title: 'Shared question between members' });
  const answers: number[] = [];
  for (let i = 0; i < 24; i++) answers.push((await createReply(db, { threadId: thread.id, userId: [dee, ben, cat][i % 3].id, body: `Answer number ${i}` })).id);
  const votes = [
    ...answers.slice(0, 12).filter((_, i) => i % 3 !== 1).map((post_id, i) => ({ post_id, user_id: ben.id, value: (i % 2 ? -1 : 1) as -1 | 1 })),
    ...answers.slice(6, 22).filter((_, i) => i % 3 !== 2).map((post_id) => ({ post_id, user_id: cat.id, value: 1 as const })),
  ];
  await db.insertInto('post_votes').values(votes).execute();
  for (const id of answers) {
    const score = votes.filter((v) => v.post_id === id).reduce((sum, v) => sum + v.value, 0);
    await db.updateTable('posts').set({ score }).where('id', '=', id).execute();
  }
  await db.updateTable('threads').set({ accepted_post_id: answers[20] }).where('id', '=', thread.id).execute();

  for (const member of [ann, ben, cat, dee]) {
    const agent = await signIn(member);
    await agent.get('/search');
    const other = new Agent(alone);
    other.cookies = new Map(agent.cookies);
    for (const page of [1, 2]) {
      const url = `/t/${thread.id}/${thread.slug}?page=${page}`;
      const bodies: string[] = [];
      const queries: number[] = [];
      for (const [who, on] of [[agent, app], [agent, app], [other, alone]] as const) {
        // Each reads the page unread, as the first did (reading it moves the marker).
        await db.deleteFrom('thread_reads').where('user_id', '=', member.id).where('thread_id', '=', thread.id).execute();
        const before = on.queryCount();
        const res = await who.get(url);
        queries.push(on.queryCount() - before);
        t.equal(res.statusCode, 200);
        bodies.push(normalized(res.body));
      }
      t.equal(bodies[0], bodies[2], `${member.username}, page ${page}: shared rendering (first) as rendered alone`);
      t.equal(bodies[1], bodies[2], `${member.username}, page ${page}: shared rendering (kept) as rendered alone`);
      t.ok(queries[1] < queries[2], `${member.username}, page ${page}: the kept rendering costs fewer queries (${queries[1]} < ${queries[2]})`);
    }
  }

  const url = `/t/${thread.id}/${thread.slug}?page=1`;
  const benAgent = await signIn(ben);
  let page = await benAgent.page(url);
  const both = [page, await benAgent.page(`/t/${thread.id}/${thread.slug}?page=2`)];
  const onEither = (selector: string) => both.map((p) => p.querySelector(selector)).find((e) => e);
  t.equal(onEither(`#votes-${answers[0]} .vote-up`)?.getAttribute('aria-pressed'), 'true', 'ben sees his upvote');
  t.equal(onEither(`#votes-${answers[2]} .vote-down`)?.getAttribute('aria-pressed'), 'true', 'and his downvote');
  t.ok(onEither(`#votes-${answers[1]}`) && !onEither(`#votes-${answers[1]} form`), 'no vote forms on his own answer');
  t.equal(onEither('.accept-button'), undefined, 'no accept buttons: he did not ask');
  const annPage = await (await signIn(ann)).page(url);
  t.ok(annPage.querySelector(`#votes-${answers[0]} .accept-button`), 'the asker may accept');
  t.equal(annPage.querySelector(`#votes-${answers[0]} .vote-down`), null, 'and may not vote down below rank 2');
  t.equal(annPage.querySelector(`#votes-${answers[20]} .accept-button`)?.text.trim(), 'Undo accept');

  // His own vote reaches his page at once, from the shared rendering.
  t.equal(onEither(`#votes-${answers[12]} .vote-up`)?.getAttribute('aria-pressed'), 'false', 'one he has not voted on');
  await benAgent.submit(`/p/${answers[12]}/vote`, { value: '1' });
  page = await benAgent.page(url);
  both.splice(0, 2, page, await benAgent.page(`/t/${thread.id}/${thread.slug}?page=2`));
  t.equal(onEither(`#votes-${answers[12]} .vote-up`)?.getAttribute('aria-pressed'), 'true', 'a new vote shows');
  const other = new Agent(alone);
  other.cookies = new Map(benAgent.cookies);
  t.equal(normalized((await benAgent.get(url)).body), normalized((await other.get(url)).body), 'and his page is still the page rendered alone');
});

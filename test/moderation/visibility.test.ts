import t from 'tap';
import { approvePost, hidePost } from '../../server/moderation/holds.ts';
import { notice } from '../../server/notifications/queries.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import type { Agent } from '../helpers/agent.ts';
import { testApp } from '../helpers/app.ts';

// Words that appear only in content that is not public: no page may carry them to those who
// may not see it. The unlisted thread's words are public, but never listed.
const secret = ['hiddenreplyword', 'heldreplyword', 'deletedreplyword', 'heldthreadword', 'heldtitleword', 'hiddenthreadword', 'hiddentitleword'];
const unlistedWords = ['unlistedword', 'unlistedtitleword'];
const found = (body: string, words: string[]) => words.filter((w) => body.toLowerCase().includes(w));

t.test('hidden, held and deleted content reaches only its author and moderators, on every surface', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const general = await make.category({ slug: 'general', name: 'General' });
  const elsewhere = await make.category({ slug: 'elsewhere', name: 'Elsewhere' });
  const starter = await make.member({ username: 'starter' });
  const author = await make.member({ username: 'writer', rank: 1 });
  const mentionee = await make.member({ username: 'mentionee' });
  const other = await make.member({ username: 'other' });
  const moderator = await make.member({ username: 'moder', role: 'moderator' });
  const admin = await make.member({ username: 'chief', role: 'admin' });

  // A public thread: its first post and one public reply are the control.
  const open = await createThread(db, {
    categoryId: general.id, userId: starter.id, title: 'Open thread about gardens', body: 'Publicword sunflowers.', tags: ['visi'],
  });
  const publicReply = await createReply(db, { threadId: open.id, userId: author.id, body: 'Openreplyword here, @mentionee.' });
  const hiddenReply = await createReply(db, { threadId: open.id, userId: author.id, body: 'Hiddenreplyword, @mentionee.' });
  await hidePost(db, hiddenReply.id, 'moderator');
  const heldReply = await createReply(db, { threadId: open.id, userId: author.id, body: 'Heldreplyword, @mentionee.', hold: 'newcomer' });
  const deletedReply = await createReply(db, { threadId: open.id, userId: author.id, body: 'Deletedreplyword, @mentionee.' });
  const heldThread = await createThread(db, {
    categoryId: general.id, userId: author.id, title: 'Heldtitleword thread', body: 'Heldthreadword, @mentionee.', tags: ['visi'],
    hold: 'newcomer', poll: { question: 'Which one?', options: ['Red', 'Blue'], multiple: false, closesAt: null },
  });
  const hiddenThread = await createThread(db, {
    categoryId: general.id, userId: author.id, title: 'Hiddentitleword thread', body: 'Hiddenthreadword, @mentionee.', tags: ['visi'],
  });
  await hidePost(db, hiddenThread.postId, 'flags');
  const unlisted = await createThread(db, {
    categoryId: elsewhere.id, userId: starter.id, title: 'Unlistedtitleword thread', body: 'Unlistedword, @mentionee.',
  });
  await db.updateTable('threads').set({ unlisted_at: new Date() }).where('id', '=', unlisted.id).execute();

  const writer = await signIn(author);
  await writer.page(`/p/${deletedReply.id}/delete`);
  t.equal((await writer.submit(`/p/${deletedReply.id}/delete`)).statusCode, 303, 'the author deletes a reply');

  // Moderation notices: the author hears their post was hidden; a flagger hears the outcome.
  await notice(db, { userId: author.id, kind: 'post_hidden', message: 'A moderator hid your post: please keep it civil.', postId: hiddenReply.id, threadId: open.id, actorId: moderator.id });
  await notice(db, { userId: other.id, kind: 'flag_outcome', message: 'Moderators agreed with your flag <b>thanks</b>.', postId: hiddenReply.id, threadId: open.id });

  const viewers: Record<'guest' | 'other' | 'author' | 'moderator', Agent> = {
    guest: make.guest(),
    other: await signIn(other),
    author: writer,
    moderator: await signIn(moderator),
  };
  const readers = [viewers.guest, viewers.other];
  const openUrl = `/t/${open.id}/${open.slug}?page=1`;

  await t.test('the thread page', async (t) => {
    const ids = async (agent: Agent) => (await agent.page(openUrl)).querySelectorAll('article.post').map((a) => Number(a.getAttribute('data-post-id')));
    for (const agent of readers) t.same(await ids(agent), [open.postId, publicReply.id], 'readers see public posts only');
    t.same(await ids(viewers.author), [open.postId, publicReply.id, hiddenReply.id, heldReply.id], 'the author also sees their hidden and held posts');
    t.same(await ids(viewers.moderator), [open.postId, publicReply.id, hiddenReply.id, heldReply.id, deletedReply.id], 'moderators see everything');
    for (const agent of readers) t.same(found((await agent.get(openUrl)).body, secret), []);

    for (const thread of [heldThread, hiddenThread]) {
      const url = `/t/${thread.id}/${thread.slug}?page=1`;
      for (const agent of readers) t.equal((await agent.get(url)).statusCode, 404, `${url}: not there for readers`);
      for (const agent of [viewers.author, viewers.moderator]) t.equal((await agent.get(url)).statusCode, 200, `${url}: open to its author and moderators`);
    }
    t.equal((await viewers.guest.get(`/t/${unlisted.id}/${unlisted.slug}`)).statusCode, 200, 'an unlisted thread opens at its address');
  });

  await t.test('lists and their counts', async (t) => {
    for (const [name, agent] of Object.entries(viewers)) {
      const home = await agent.page('/');
      t.same(home.querySelectorAll('.thread-title').map((a) => a.text), ['Open thread about gardens'], `${name}: home lists public, listed threads`);
      const row = home.querySelectorAll('.thread-row').find((r) => r.querySelector('.thread-title')?.text === 'Open thread about gardens')!;
      t.match(row.querySelector('.thread-meta')?.text, /\b1 reply\b/, `${name}: the reply count counts public replies`);
      const generalCount = home.querySelectorAll('aside.categories li').find((li) => li.querySelector('a')?.getAttribute('href') === '/c/general');
      t.match(generalCount?.querySelector('.muted')?.text, '(1)', `${name}: the category's thread count`);
      t.same(found(home.toString(), [...secret, ...unlistedWords]), []);

      const category = await agent.page('/c/general');
      t.same(category.querySelectorAll('.thread-title').map((a) => a.text), ['Open thread about gardens'], `${name}: the category lists public threads`);
      t.same((await agent.page('/c/elsewhere')).querySelectorAll('.thread-title').map((a) => a.text), [], `${name}: an unlisted thread is not listed`);

      const tag = await agent.page('/tag/visi');
      t.same(tag.querySelectorAll('.thread-title').map((a) => a.text), ['Open thread about gardens'], `${name}: the tag lists public threads`);
      t.equal(tag.querySelector('.tag-count')?.text, '1 thread', `${name}: the tag's thread count`);
    }
    const counts = await db.selectFrom('threads').select('reply_count').where('id', '=', open.id).executeTakeFirstOrThrow();
    t.equal(counts.reply_count, 1);
  });

  await t.test('search, posts and titles', async (t) => {
    for (const [name, agent] of Object.entries(viewers)) {
      for (const word of [...secret, ...unlistedWords]) {
        const page = await agent.page(`/search?q=${word}`);
        t.equal(page.querySelectorAll('.search-result').length, 0, `${name} does not find ${word}`);
      }
      t.equal((await agent.page('/search?q=openreplyword')).querySelectorAll('.search-result').length, 1, `${name} finds a public reply`);
      t.equal((await agent.page('/search?q=gardens')).querySelectorAll('.search-result').length, 1, `${name} finds a public title`);
    }
  });

  await t.test('feeds and the sitemap', async (t) => {
    for (const url of ['/latest.rss', '/c/general.rss', '/c/elsewhere.rss', '/sitemap.xml']) {
      const res = await viewers.guest.get(url);
      t.equal(res.statusCode, 200);
      t.same(found(res.body, [...secret, ...unlistedWords]), [], `${url} carries nothing that is not public and listed`);
    }
    t.match((await viewers.guest.get('/latest.rss')).body, 'Open thread about gardens');
    const sitemap = (await viewers.guest.get('/sitemap.xml')).body;
    t.match(sitemap, `/t/${open.id}/`);
    for (const thread of [heldThread, hiddenThread, unlisted]) t.notMatch(sitemap, `/t/${thread.id}/`);
  });

  await t.test('profiles', async (t) => {
    for (const [name, agent] of Object.entries(viewers)) {
      const profile = await agent.page('/u/writer');
      const stat = (label: string) => profile.querySelectorAll('.stats div').find((d) => d.querySelector('dt')?.text === label)?.querySelector('dd')?.text;
      t.equal(stat('Threads'), '0', `${name}: the writer's thread count counts public threads`);
      t.equal(stat('Posts'), '1', `${name}: the writer's post count counts public posts`);
      t.equal(profile.querySelectorAll('.profile li').length, 0, `${name}: no recent thread of the writer is listed`);
      t.same(found(profile.toString(), secret), []);
      const starterProfile = await agent.page('/u/starter');
      t.same(starterProfile.querySelectorAll('.profile li a').map((a) => a.text), ['Open thread about gardens'], `${name}: unlisted threads are not listed`);
    }
  });

  await t.test('/p/:id, quotes, likes, polls and watching', async (t) => {
    const expect: [string, number, Record<keyof typeof viewers, number>][] = [
      ['a public reply', publicReply.id, { guest: 303, other: 303, author: 303, moderator: 303 }],
      ['a hidden reply', hiddenReply.id, { guest: 404, other: 404, author: 303, moderator: 303 }],
      ['a held reply', heldReply.id, { guest: 404, other: 404, author: 303, moderator: 303 }],
      ['a deleted reply', deletedReply.id, { guest: 404, other: 404, author: 404, moderator: 303 }],
      ['a held thread', heldThread.postId, { guest: 404, other: 404, author: 303, moderator: 303 }],
      ['a hidden first post', hiddenThread.postId, { guest: 404, other: 404, author: 303, moderator: 303 }],
    ];
    for (const [what, id, statuses] of expect) {
      for (const [name, agent] of Object.entries(viewers)) {
        t.equal((await agent.get(`/p/${id}`)).statusCode, statuses[name as keyof typeof viewers], `/p/ of ${what} for ${name}`);
      }
    }
    for (const [what, id] of [['hidden', hiddenReply.id], ['held', heldReply.id], ['deleted', deletedReply.id]] as const) {
      for (const agent of [viewers.other, viewers.author, viewers.moderator]) {
        const page = await agent.page(`${openUrl}&quote=${id}`);
        t.equal(page.querySelector('#field-body')?.text, '', `no quote of a ${what} post`);
      }
    }
    t.match((await viewers.other.page(`${openUrl}&quote=${publicReply.id}`)).querySelector('#field-body')?.text, 'Openreplyword', 'a public post is quoted');
    const modPage = await viewers.moderator.page(openUrl);
    t.equal(modPage.querySelector(`#post-${hiddenReply.id} .quote-link`), null, 'no quote link on a hidden post');
    t.ok(modPage.querySelector(`#post-${publicReply.id} .quote-link`));

    await viewers.other.page(openUrl);
    t.equal((await viewers.other.submit(`/p/${hiddenReply.id}/like`)).statusCode, 404, 'a reader cannot like what they cannot see');
    t.equal((await viewers.other.submit(`/p/${heldReply.id}/like`)).statusCode, 404);
    t.equal((await viewers.moderator.submit(`/p/${hiddenReply.id}/like`)).statusCode, 409, 'nor can a moderator like a hidden post');
    t.equal((await viewers.moderator.submit(`/p/${heldReply.id}/like`)).statusCode, 409, 'or a held one');
    t.equal((await viewers.other.submit(`/p/${publicReply.id}/like`)).statusCode, 303, 'a public post takes likes');
    const likes = await db.selectFrom('posts').select(['id', 'like_count']).where('id', 'in', [hiddenReply.id, heldReply.id]).execute();
    t.same(likes.map((l) => l.like_count), [0, 0]);

    const poll = await db.selectFrom('polls as p').innerJoin('poll_options as o', 'o.poll_id', 'p.id').select(['p.id', 'o.id as option']).where('p.thread_id', '=', heldThread.id).executeTakeFirstOrThrow();
    t.equal((await viewers.other.submit(`/polls/${poll.id}/vote`, [['option', String(poll.option)]])).statusCode, 404, 'a poll in a held thread is not there for readers');
    t.equal((await viewers.author.submit(`/polls/${poll.id}/vote`, [['option', String(poll.option)]])).statusCode, 409, 'and takes no votes until it is public');
    t.equal((await viewers.moderator.submit(`/polls/${poll.id}/vote`, [['option', String(poll.option)]])).statusCode, 409);
    const heldPage = await viewers.author.page(`/t/${heldThread.id}/${heldThread.slug}?page=1`);
    t.equal(heldPage.querySelector('form.poll-form'), null, 'no ballot while the thread waits');

    for (const thread of [heldThread, hiddenThread]) {
      t.equal((await viewers.other.submit(`/t/${thread.id}/watch`, { level: 'watching' })).statusCode, 404, 'readers cannot watch it');
      t.equal((await viewers.author.submit(`/t/${thread.id}/watch`, { level: 'watching' })).statusCode, 303, 'its author can');
    }
    const revisions = await viewers.other.get(`/p/${hiddenReply.id}/revisions`);
    t.equal(revisions.statusCode, 404, 'nor its earlier versions');
  });

  await t.test('notifications and the unread badge', async (t) => {
    const badge = async (agent: Agent) => (await agent.page('/')).querySelector('#nav-notifications .badge')?.text ?? '0';
    const m = await signIn(mentionee);
    t.equal(await badge(m), '2', 'mentions in public posts only (the reply and the unlisted thread)');
    const list = await m.page('/notifications');
    t.equal(list.querySelectorAll('.notification').length, 2);
    t.same(found(list.toString(), secret), []);
    t.equal(list.querySelectorAll('.notification strong').filter((s) => /Hiddentitleword|Heldtitleword/.test(s.text)).length, 0);
    const kept = await db.selectFrom('notifications').select('post_id').where('user_id', '=', mentionee.id).execute();
    t.equal(kept.length, 4, 'mentions in hidden posts are kept (they return with the post), those in held ones not yet written');

    const s = await signIn(starter);
    t.equal(await badge(s), '1', 'the thread starter hears of the public reply only');

    // Notices show their message; the author's links to their own hidden post.
    t.equal(await badge(viewers.author), '1');
    const authorList = await viewers.author.page('/notifications');
    const mine = authorList.querySelector('.notification[data-kind=post_hidden]')!;
    t.equal(mine.querySelector('.notice-message')?.text, 'A moderator hid your post: please keep it civil.');
    t.match(mine.querySelector('button')?.text, 'Open thread about gardens');
    const opened = await viewers.author.submit(mine.querySelector('form')!.getAttribute('action')!);
    t.equal(opened.headers.location, `/p/${hiddenReply.id}`, 'the author follows the link to their hidden post');
    t.equal((await viewers.author.get(opened.headers.location as string)).statusCode, 303);

    // The flagger hears the outcome but may not open a post that is hidden now.
    t.equal(await badge(viewers.other), '1');
    const otherList = await viewers.other.page('/notifications');
    const outcome = otherList.querySelector('.notification[data-kind=flag_outcome]')!;
    t.equal(outcome.querySelector('.notice-message')?.text, 'Moderators agreed with your flag <b>thanks</b>.', 'the message, inert');
    t.equal(outcome.querySelector('.notice-message b'), null);
    t.notMatch(outcome.text, 'Open thread about gardens', 'no link to a post they may not open');
    const read = await viewers.other.submit(outcome.querySelector('form')!.getAttribute('action')!);
    t.equal(read.headers.location, '/notifications');
    t.equal(await badge(viewers.other), '0', 'marked read');
  });

  await t.test('admin totals', async (t) => {
    const a = await signIn(admin);
    const page = await a.page('/admin');
    const stat = (label: string) => page.querySelectorAll('.stats div').find((d) => d.querySelector('dt')?.text === label)?.querySelector('dd')?.text;
    t.equal(stat('Threads'), '2', 'the open and the unlisted thread');
    t.equal(stat('Posts'), '3', 'their first posts and the public reply');
  });

  await t.test('once approved, a held reply is everyone’s, with its counts and notifications', async (t) => {
    await db.transaction().execute((tx) => approvePost(tx, heldReply.id));
    const ids = (await viewers.guest.page(openUrl)).querySelectorAll('article.post').map((a) => Number(a.getAttribute('data-post-id')));
    t.same(ids, [open.postId, publicReply.id, heldReply.id]);
    const row = (await viewers.guest.page('/')).querySelector('.thread-row .thread-meta');
    t.match(row?.text, /\b2 replies\b/);
    t.equal((await viewers.guest.page('/search?q=heldreplyword')).querySelectorAll('.search-result').length, 1);
    const m = await signIn(mentionee);
    t.equal((await m.page('/')).querySelector('#nav-notifications .badge')?.text, '3');

    // A held thread let in joins its category's and its tags' counts, and the lists.
    await db.transaction().execute((tx) => approvePost(tx, heldThread.postId));
    const home = await viewers.guest.page('/');
    t.same(home.querySelectorAll('.thread-title').map((a) => a.text).sort(), ['Heldtitleword thread', 'Open thread about gardens']);
    const general = home.querySelectorAll('aside.categories li').find((li) => li.querySelector('a')?.getAttribute('href') === '/c/general');
    t.match(general?.querySelector('.muted')?.text, '(2)');
    t.equal((await viewers.guest.page('/tag/visi')).querySelector('.tag-count')?.text, '2 threads');
    t.equal((await m.page('/')).querySelector('#nav-notifications .badge')?.text, '4', 'its mention is told now');
  });
});

t.test('a page of a thread whose posts a reader may not see still opens, with the reply form', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const thread = await make.thread({ replies: 19 });
  const newcomer = await make.member();
  await createReply(db, { threadId: thread.id, userId: newcomer.id, body: 'Waiting for approval.', hold: 'newcomer' });
  const reader = await signIn(await make.member());
  const first = await reader.page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal(first.querySelectorAll('article.post').length, 20);
  const next = first.querySelector('a[rel=next]')?.getAttribute('href');
  t.equal(next, `/t/${thread.id}/${thread.slug}?page=2`);
  const res = await reader.get(next!);
  t.equal(res.statusCode, 200, 'not a 404 that would say something is there');
  t.equal(res.page().querySelectorAll('article.post').length, 0);
  t.ok(res.page().querySelector('form.reply-form'), 'the reply form is on the last page');
  t.equal((await reader.get(`/t/${thread.id}/${thread.slug}?page=3`)).statusCode, 404, 'a page past the last is not found');
});

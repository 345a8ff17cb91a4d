// A staff-only category never shows itself to those who may not read it: not in the home page's
// lists, tag pages, search, feeds, its authors' profiles, notifications, nor the similar
// questions offered beside a new thread's title. Moderators read a moderators' category; staff
// read both.
import t from 'tap';
import { createCategory, createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

t.test('staff-only categories leak through no list, search, feed, profile or notification', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const staffMember = await make.member({ role: 'staff', username: 'brandperson' });
  const moderatorAuthor = await make.member({ role: 'moderator', username: 'modperson' });
  const member = await make.member({ username: 'plainmember' });
  const moderator = await make.member({ role: 'moderator', username: 'othermod' });
  const open = await createCategory(db, { name: 'Product help', slug: 'product-help' });
  const staffRoom = await createCategory(db, { name: 'Staff room', slug: 'staff-room', read_role: 'staff', post_role: 'staff' });
  const modRoom = await createCategory(db, { name: 'Moderators corner', slug: 'mod-corner', read_role: 'moderator', post_role: 'moderator' });

  const secret = await createThread(db, {
    categoryId: staffRoom.id, userId: staffMember.id, kind: 'question', tags: ['roadmap'],
    title: 'Zebrafish launch plans for the widget', body: 'The zebrafish launch is next quarter; @plainmember must not hear of it.',
  });
  await createReply(db, { threadId: secret.id, userId: staffMember.id, body: 'And @othermod neither: this room is for staff.' });
  const modThread = await createThread(db, {
    categoryId: modRoom.id, userId: moderatorAuthor.id, kind: 'question', tags: ['roadmap'],
    title: 'Quokka spam wave in the widget forum', body: 'The quokka spammers are back; @othermod please look, @plainmember must not.',
  });
  const visible = await createThread(db, {
    categoryId: open.id, userId: staffMember.id, tags: ['roadmap'],
    title: 'Welcome to the widget community', body: 'An open thread by the brand, which everyone reads.',
  });

  // The titles, bodies and rooms' names; the searches' own words (lowercase) show on their pages.
  const secrets = ['Zebrafish', 'launch is next quarter', 'this room is for staff', 'Staff room', 'staff-room'];
  const modSecrets = ['Quokka', 'spammers are back', 'Moderators corner', 'mod-corner'];
  const absent = (t: { notOk: (v: unknown, m: string) => unknown }, body: string, words: string[], where: string) => {
    for (const w of words) t.notOk(body.includes(w), `${where}: no "${w}"`);
  };

  const guest = make.guest();
  const plain = await signIn(member);
  const mod = await signIn(moderator);
  const staff = await signIn(await make.member({ role: 'staff' }));

  const surfaces = [
    ['/', 'home'],
    ['/tag/roadmap', 'tag page'],
    ['/search?q=zebrafish', 'search'],
    ['/search?q=quokka', 'search'],
    ['/latest.rss', 'latest feed'],
    [`/u/${staffMember.username}`, 'the staff author\'s profile'],
    [`/u/${moderatorAuthor.username}`, 'the moderator author\'s profile'],
    ['/c/product-help/similar?title=widget%20launch%20plans%20zebrafish', 'similar questions'],
    ['/c/product-help/similar?title=quokka%20spam%20wave', 'similar questions'],
  ] as const;

  for (const [who, agent] of [['guest', guest], ['member', plain]] as const) {
    for (const [url, where] of surfaces) {
      const res = await agent.get(url);
      // Similar questions are for members writing a thread: a guest is asked to sign in.
      if (who === 'guest' && url.includes('/similar')) {
        t.not(res.statusCode, 200, `${who}: ${where} is not offered`);
        continue;
      }
      t.equal(res.statusCode, 200, `${who}: ${url}`);
      absent(t, res.body, [...secrets, ...modSecrets], `${who}, ${where}`);
    }
    // The open thread shows where it should: the surfaces are not simply empty.
    t.match((await agent.get('/tag/roadmap')).body, 'Welcome to the widget community', `${who}: the tag page lists the open thread`);
    t.match((await agent.get(`/u/${staffMember.username}`)).body, 'Welcome to the widget community', `${who}: the profile lists the open thread`);
    // The category's own feed and page are not there for them.
    t.equal((await agent.get('/c/staff-room.rss')).statusCode, 404, `${who}: the staff room's feed`);
    t.ok([401, 403].includes((await agent.get('/c/staff-room')).statusCode), `${who}: the staff room's page`);
    t.ok([401, 403].includes((await agent.get(`/t/${secret.id}/${secret.slug}`)).statusCode), `${who}: the thread`);
  }

  // Not one notification reached the member mentioned in either room.
  const notified = async (userId: number) =>
    (await db.selectFrom('notifications').select(['thread_id']).where('user_id', '=', userId).execute()).map((n) => n.thread_id);
  t.same(await notified(member.id), [], 'the member mentioned in both rooms heard nothing');
  t.notOk((await plain.page('/notifications')).text.includes('Zebrafish'), 'nor sees anything on the notifications page');
  // The moderator mentioned in the staff room heard nothing; in the moderators' corner, yes.
  t.same(await notified(moderator.id), [modThread.id], 'the moderator heard of the moderators\' corner only');

  // A moderator reads the moderators' corner everywhere it is listed, but not the staff room.
  t.match((await mod.get('/')).body, 'Quokka spam wave', 'moderator: home');
  t.match((await mod.get('/tag/roadmap')).body, 'Quokka spam wave', 'moderator: tag page');
  t.match((await mod.page('/search?q=quokka')).text, 'Quokka spam wave', 'moderator: search');
  t.match((await mod.get(`/u/${moderatorAuthor.username}`)).body, 'Quokka spam wave', 'moderator: profile');
  t.match((await mod.get('/c/product-help/similar?title=quokka%20spam%20wave')).body, 'Quokka spam wave', 'moderator: similar questions');
  t.match((await mod.get('/notifications')).body, 'Quokka', 'moderator: the notification');
  for (const [url, where] of surfaces) absent(t, (await mod.get(url)).body, secrets, `moderator, ${where}`);
  t.equal((await mod.get('/c/staff-room')).statusCode, 403);

  // Staff read both.
  t.match((await staff.get('/')).body, 'Zebrafish launch plans', 'staff: home');
  t.match((await staff.page('/search?q=zebrafish')).text, 'Zebrafish launch plans', 'staff: search');
  t.match((await staff.get('/tag/roadmap')).body, 'Zebrafish launch plans', 'staff: tag page');
  t.match((await staff.get(`/u/${staffMember.username}`)).body, 'Zebrafish launch plans', 'staff: profile');
  t.equal((await staff.get('/c/staff-room')).statusCode, 200);

  // The feeds are guests' (a reader fetches them without a session): never a private thread.
  absent(t, (await staff.get('/latest.rss')).body, [...secrets, ...modSecrets], 'latest feed, even asked by staff');
  // The public counts leave private threads out: the profile says one thread, the open one.
  const counts = await db.selectFrom('users').select(['thread_count']).where('id', '=', staffMember.id).executeTakeFirstOrThrow();
  t.equal(counts.thread_count, 1);
  t.ok(visible);
});

import t from 'tap';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { testApp } from '../helpers/app.ts';

/** The id of the newest post in a thread. */
const lastPost = (db: Parameters<typeof changeSetting>[0], threadId: number) =>
  db.selectFrom('posts').select('id').where('thread_id', '=', threadId).orderBy('post_number', 'desc').limit(1).executeTakeFirstOrThrow().then((p) => p.id);

t.test('staff posts carry the brand\'s mark; members\' and moderators\' do not', async (t) => {
  const { app, make, signIn, db, clock } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  // As a member would, some time after starting the thread (a post right after another is held back).
  clock.advance(600);
  const admin = await make.member({ role: 'admin' });
  const people = [author, await make.member({ role: 'moderator' }), await make.member({ role: 'staff' }), admin];
  for (const who of people) {
    const agent = await signIn(who);
    await agent.page(`/t/${thread.id}/${thread.slug}`);
    t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: `A reply from a ${who.role}, with some words.` })).statusCode, 303);
  }
  const read = async () => {
    const page = await make.guest().page(`/t/${thread.id}/${thread.slug}`);
    return page.querySelectorAll('article.post').map((a) => ({
      staff: a.classList.contains('post-staff'),
      mark: a.querySelector('.post-meta .staff-mark')?.text ?? null,
    }));
  };
  t.same(await read(), [
    { staff: false, mark: null }, { staff: false, mark: null }, { staff: false, mark: null },
    { staff: true, mark: 'Staff' }, { staff: true, mark: 'Staff' },
  ], 'the first post and the member\'s and moderator\'s replies carry none');

  // A member made staff: the guests' kept page shows the mark on their posts at once.
  await db.updateTable('users').set({ role: 'staff' }).where('id', '=', author.id).execute();
  await app.pageCache?.sync();
  t.same((await read()).map((p) => p.staff), [true, true, false, true, true], 'a role\'s change reaches the kept page');

  // The label is the setting brand_label, read through the settings the process keeps.
  await changeSetting(db, 'brand_label', 'Acme team', admin.id);
  await app.pageCache?.sync();
  const staffView = await (await signIn(admin)).page(`/t/${thread.id}/${thread.slug}`);
  t.same(staffView.querySelectorAll('.post-meta .staff-mark').map((m) => m.text), ['Acme team', 'Acme team', 'Acme team', 'Acme team']);
});

t.test('staff mark one staff reply as the official response, shown under the first post; change it and undo it', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author, body: 'How do I export my data?' });
  clock.advance(600);
  const staffMember = await make.member({ role: 'staff' });
  const staff = await signIn(staffMember);
  const adminAgent = await signIn(await make.member({ role: 'admin' }));
  const member = await signIn(author);
  await member.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await member.submit(`/t/${thread.id}/replies`, { body: 'I wonder about this too, a member says.' })).statusCode, 303);
  const memberReply = await lastPost(db, thread.id);
  await staff.page(`/t/${thread.id}/${thread.slug}`);
  await staff.submit(`/t/${thread.id}/replies`, { body: 'Settings, then Export: the official way.' });
  const staffReply = await lastPost(db, thread.id);
  await adminAgent.page(`/t/${thread.id}/${thread.slug}`);
  await adminAgent.submit(`/t/${thread.id}/replies`, { body: 'Or ask us by mail, says an admin.' });
  const adminReply = await lastPost(db, thread.id);
  const firstPost = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 1).executeTakeFirstOrThrow();

  const staffPage = await staff.page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.ok(staffPage.querySelector(`#post-${staffReply} form.official-form`), 'staff replies offer the mark');
  t.equal(staffPage.querySelector(`#post-${memberReply} form.official-form`), null, 'a member\'s reply does not');
  t.equal((await member.page(`/t/${thread.id}/${thread.slug}?page=1`)).querySelector('form.official-form'), null, 'members are offered nothing');

  let res = await staff.submit(`/t/${thread.id}/official`, { post: String(staffReply) });
  t.equal(res.statusCode, 303);
  const shows = async (agent: typeof member | ReturnType<typeof make.guest>) => {
    const page = await agent.page(`/t/${thread.id}/${thread.slug}?page=1`);
    const posts = page.querySelector('#posts')!;
    const children = posts.childNodes.filter((n) => 'tagName' in n) as unknown as { tagName: string; id: string; text: string }[];
    const official = page.querySelector('.official-response');
    return {
      // Right after the first post.
      next: children[children.findIndex((c) => c.id === `post-${firstPost.id}`) + 1]?.id ?? null,
      text: official?.querySelector('.post-body')?.text.trim() ?? null,
      marked: page.querySelectorAll('article.post-official').map((a) => a.getAttribute('data-post-id')),
    };
  };
  t.same(await shows(make.guest()), { next: 'official-response', text: 'Settings, then Export: the official way.', marked: [String(staffReply)] }, 'guests see it under the first post');
  t.same(await shows(member), { next: 'official-response', text: 'Settings, then Export: the official way.', marked: [String(staffReply)] }, 'and members');

  res = await staff.submit(`/t/${thread.id}/official`, { post: String(adminReply) });
  t.equal(res.statusCode, 303, 'another staff reply instead');
  t.same((await shows(make.guest())).text, 'Or ask us by mail, says an admin.');
  t.equal((await staff.submit(`/t/${thread.id}/official`, { post: String(adminReply) })).statusCode, 303, 'the same again changes nothing');

  // Refused: a member's reply, the first post, a post of another thread, a post that is not there.
  const other = await make.thread();
  const otherPost = await lastPost(db, other.id);
  for (const [post, why] of [[memberReply, /written by staff/], [firstPost.id, /first post/], [otherPost, /not in this thread/], [999999, /not in this thread/]] as const) {
    res = await staff.submit(`/t/${thread.id}/official`, { post: String(post) });
    t.equal(res.statusCode, 422, `refused: ${why}`);
    t.match(res.page().text, why);
  }
  t.equal((await staff.submit(`/t/${thread.id}/official`, { post: 'soon' })).statusCode, 422);
  // Refused to anyone but staff.
  t.equal((await member.submit(`/t/${thread.id}/official`, { post: String(staffReply) })).statusCode, 403);
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get('/');
  t.equal((await moderator.submit(`/t/${thread.id}/official`, { post: String(staffReply) })).statusCode, 403);
  t.equal((await make.guest().submit(`/t/${thread.id}/official`, { post: String(staffReply) })).statusCode, 401);

  // Undone.
  res = await staff.submit(`/t/${thread.id}/official`, { post: '' });
  t.equal(res.statusCode, 303);
  t.same(await shows(make.guest()), { next: `post-${memberReply}`, text: null, marked: [] }, 'gone from the page');
  const row = await db.selectFrom('threads').select('official_post_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
  t.equal(row.official_post_id, null);

  const log = await db.selectFrom('staff_log').select(['action', 'actor_id', 'before', 'after'])
    .where('target_type', '=', 'thread').where('target_id', '=', thread.id).where('action', 'like', 'thread.official%').orderBy('id').execute();
  t.same(log.map((l) => [l.action, l.actor_id, l.before, l.after]), [
    ['thread.official', staffMember.id, { official_post_id: null }, { official_post_id: staffReply }],
    ['thread.official', staffMember.id, { official_post_id: staffReply }, { official_post_id: adminReply }],
    ['thread.official_clear', staffMember.id, { official_post_id: adminReply }, { official_post_id: null }],
  ], 'each change logged, the one that changed nothing not');
});

t.test('a question\'s official response stands apart from its accepted answer', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const asker = await make.member();
  const question = await make.thread({ by: asker, kind: 'question', title: 'Why does sync stop?', body: 'It stops at night.' });
  const helper = await signIn(await make.member());
  await helper.page(`/t/${question.id}/${question.slug}`);
  await helper.submit(`/t/${question.id}/replies`, { body: 'Turn off battery saving, from a member.' });
  const answer = await lastPost(db, question.id);
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.page(`/t/${question.id}/${question.slug}`);
  await staff.submit(`/t/${question.id}/replies`, { body: 'A fix ships next week, from staff.' });
  const staffAnswer = await lastPost(db, question.id);

  const me = await signIn(asker);
  await me.page(`/t/${question.id}/${question.slug}`);
  t.equal((await me.submit(`/p/${answer}/accept`)).statusCode, 303);
  t.equal((await staff.submit(`/t/${question.id}/official`, { post: String(staffAnswer) })).statusCode, 303);
  const page = await make.guest().page(`/t/${question.id}/${question.slug}`);
  t.ok(page.querySelector(`#post-${answer} .accepted-marker`), 'the accepted answer is the asker\'s choice');
  t.match(page.querySelector('.official-response .post-body')?.text ?? '', /from staff/, 'the official response is staff\'s');
  t.equal(page.querySelector(`#post-${staffAnswer} .accepted-marker`), null);
  const row = await db.selectFrom('threads').select(['accepted_post_id', 'official_post_id']).where('id', '=', question.id).executeTakeFirstOrThrow();
  t.same(row, { accepted_post_id: answer, official_post_id: staffAnswer });
});

t.test('a thread keeps when staff first replied', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const thread = await make.thread();
  const when = () => db.selectFrom('threads').select('first_staff_reply_at').where('id', '=', thread.id).executeTakeFirstOrThrow().then((r) => r.first_staff_reply_at);
  const reply = async (role: 'member' | 'moderator' | 'staff' | 'admin', body: string) => {
    const agent = await signIn(await make.member({ role }));
    await agent.page(`/t/${thread.id}/${thread.slug}`);
    t.equal((await agent.submit(`/t/${thread.id}/replies`, { body })).statusCode, 303);
  };
  await reply('member', 'A member answers first, with some words.');
  await reply('moderator', 'A moderator answers too, with some words.');
  t.equal(await when(), null, 'neither a member nor a moderator is staff');
  clock.advance(3600);
  const staffAt = clock.now();
  await reply('staff', 'Staff answer at last, with some words.');
  const first = await when();
  t.ok(first && Math.abs(first.getTime() - staffAt.getTime()) < 5000, 'the staff reply\'s time, by the app\'s clock');
  clock.advance(3600);
  await reply('admin', 'An admin adds something, with some words.');
  t.same(await when(), first, 'later staff replies leave it');
});

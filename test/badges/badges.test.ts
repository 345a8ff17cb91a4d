// Badges: the rules grant what the facts earn, dated when they were earned, once however often
// and by however many processes they run; members are told of new grants (not of old ones a
// backfill finds); /badges and /badges/:slug show them; admins grant and revoke by hand.
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { badges, LOWEST_LIKE_BAR, LOWEST_SCORE_BAR } from '../../server/badges/definitions.ts';
import { grantBadges, runAll, runDue, takeDue } from '../../server/badges/grant.ts';
import type { Db } from '../../server/db/index.ts';
import { scheduled } from '../../server/jobs/index.ts';
import { castVote } from '../../server/qa/queries.ts';
import { createCategory, createReply, createThread } from '../../server/threads/queries.ts';
import { testApp, testConfig, type Member } from '../helpers/app.ts';

const DAY = 24 * 60 * 60 * 1000;

async function held(db: Db, userId: number) {
  const rows = await db
    .selectFrom('user_badges')
    .select(['badge', 'post_id', 'granted_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('badge')
    .orderBy('grant_key')
    .execute();
  return rows;
}
const slugs = async (db: Db, userId: number) => (await held(db, userId)).map((b) => b.badge);
const told = async (db: Db, userId: number) =>
  (await db.selectFrom('notifications').select(['message', 'link']).where('user_id', '=', userId).where('kind', '=', 'badge').orderBy('id').execute());

async function openCategory(db: Db) {
  const slug = `b-${Math.random().toString(36).slice(2, 10)}`;
  return createCategory(db, { name: slug, slug });
}

t.test('there are at least 25 badges in three tiers, each described, with a rule or given by hand', async (t) => {
  t.ok(badges.length >= 25, `${badges.length} badges`);
  t.same(new Set(badges.map((b) => b.tier)), new Set(['bronze', 'silver', 'gold']));
  t.equal(new Set(badges.map((b) => b.slug)).size, badges.length, 'slugs are unique');
  for (const b of badges) t.ok(b.name && b.description && b.howTo, `${b.slug} is described`);
});

t.test('every rule runs on an empty community and on everyone at once', async (t) => {
  const { app, db } = await testApp(t);
  const result = await grantBadges(db, 'all', app.now(), app.log);
  t.same(result, { granted: 0, failed: [] }, 'no rule fails, none grants from nothing');
});

t.test('posting, liking, votes and an accept through the routes earn their badges once, with one notice each', async (t) => {
  const { app, db, make, signIn } = await testApp(t);
  const asker = await make.member({ username: 'asker' });
  const helper = await make.member({ username: 'helper' });
  const asking = await signIn(asker);
  const category = await openCategory(db);
  await asking.get(`/c/${category.slug}/new`);
  const res = await asking.submit(`/c/${category.slug}/threads`, { title: 'How do I reset the hub?', body: 'It stays orange after the update.', kind: 'question' });
  t.equal(res.statusCode, 303, 'the question is posted');
  const thread = await db.selectFrom('threads').select(['id', 'slug']).where('user_id', '=', asker.id).executeTakeFirstOrThrow();
  const answer = await createReply(db, { threadId: thread.id, userId: helper.id, body: 'Hold the button for ten seconds until it blinks.' });

  // Ten members vote the answer up and like it, through the routes.
  for (let i = 0; i < 10; i++) {
    const voter = await make.member({ username: `voter${i}`, rank: 2 });
    const agent = await signIn(voter);
    await agent.get(`/t/${thread.id}/${thread.slug}`);
    const voted = await agent.submit(`/p/${answer.id}/vote`, { value: '1' });
    t.equal(voted.statusCode, 303, voted.statusCode === 303 ? 'voted' : voted.body.slice(0, 400));
    t.equal((await agent.submit(`/p/${answer.id}/like`, {})).statusCode, 303);
  }
  t.equal((await asking.submit(`/p/${answer.id}/accept`, {})).statusCode, 303, 'the asker accepts');

  const due = await db.selectFrom('badge_due').select('user_id').execute();
  t.ok(due.some((d) => d.user_id === helper.id) && due.some((d) => d.user_id === asker.id), 'the writes marked both members due');
  const reviewed = await runDue(db, app.log, app.now);
  t.ok(reviewed >= 12, `the due job reviewed ${reviewed} members`);
  t.same(await db.selectFrom('badge_due').select('user_id').execute(), [], 'and none is due any more');

  t.same(await slugs(db, asker.id), ['first-post', 'first-question'], 'the asker: a first post, a first question');
  const helperBadges = await held(db, helper.id);
  t.same(helperBadges.map((b) => b.badge), ['first-post', 'good-answer', 'helpful', 'nice-post'], 'the helper: first post, helpful, a good answer, a nice post');
  t.equal(helperBadges.find((b) => b.badge === 'good-answer')!.post_id, answer.id, 'the good answer names its post');
  t.equal(helperBadges.find((b) => b.badge === 'nice-post')!.post_id, answer.id, 'and so does the nice post');
  t.same(await slugs(db, (await db.selectFrom('users').select('id').where('username', '=', 'voter0').executeTakeFirstOrThrow()).id), ['first-like'], 'each voter: a first like');
  const notices = await told(db, helper.id);
  t.equal(notices.length, 4, 'one notice per badge');
  t.ok(notices.some((n) => n.message === 'You earned the silver badge “Good answer”.' && n.link === '/badges/good-answer'), 'saying which, with its page');

  // Run again, by both jobs: nothing is granted or told twice.
  await db.insertInto('badge_due').values([{ user_id: helper.id }, { user_id: asker.id }]).execute();
  await runDue(db, app.log, app.now);
  const again = await runAll(db, app.log, app.now);
  t.equal(again.granted, 0, 'the full run grants nothing new');
  t.equal((await told(db, helper.id)).length, 4, 'and tells nobody again');

  // The notice shows on the member's notifications page, with a link to the badge.
  const helping = await signIn(helper);
  const page = (await helping.get('/notifications')).page();
  t.ok(page.querySelector('a.notice-link[href="/badges/good-answer"]'), 'the notifications page links the badge');
  const profile = (await make.guest().get('/u/helper')).page();
  t.same(
    profile.querySelectorAll('.profile-badges li').map((li) => li.getAttribute('data-badge')).sort(),
    ['first-post', 'good-answer', 'helpful', 'nice-post'],
    'the profile shows the badges, to anyone',
  );
});

t.test('a vote marks its post\'s author due only once it takes the score to the lowest score badge\'s bar', async (t) => {
  const { app, db, make } = await testApp(t);
  const trigger = await sql<{ def: string }>`select pg_get_triggerdef(oid) as def from pg_trigger where tgname = 'posts_score_badge_due'`.execute(db);
  t.match(trigger.rows[0]?.def, new RegExp(`new\\.score >= ${LOWEST_SCORE_BAR}\\b`), 'the trigger asks for the lowest bar of the definitions');
  const category = await openCategory(db);
  const asker = await make.member({ username: 'asker' });
  const author = await make.member({ username: 'author' });
  const { id: threadId } = await createThread(db, { categoryId: category.id, userId: asker.id, title: 'Which cable for the hub?', body: 'USB-C or the round one?', kind: 'question' });
  const answer = await createReply(db, { threadId, userId: author.id, body: 'USB-C, the round one is power only.' });
  await db.deleteFrom('badge_due').execute();
  const dueNow = async () => (await db.selectFrom('badge_due').select('user_id').execute()).map((d) => d.user_id);
  const voters = [];
  for (let i = 0; i < LOWEST_SCORE_BAR + 1; i++) voters.push(await make.member({ username: `voter${i}`, rank: 2 }));
  const vote = (voterId: number, value: -1 | 0 | 1) => castVote(db, { postId: answer.id, voterId, value, at: app.now(), check: () => {} });
  for (const v of voters.slice(0, LOWEST_SCORE_BAR - 1)) await vote(v.id, 1);
  t.same(await dueNow(), [], `${LOWEST_SCORE_BAR - 1} upvotes mark no one due`);
  await vote(voters[LOWEST_SCORE_BAR - 1]!.id, 1);
  t.same(await dueNow(), [author.id], `the ${LOWEST_SCORE_BAR}th marks the author`);
  await runDue(db, app.log, app.now);
  t.ok((await slugs(db, author.id)).includes('good-answer'), 'who is given the good answer badge');
  await vote(voters[0]!.id, 0);
  t.same(await dueNow(), [], 'a vote taken back below the bar marks no one');
  await vote(voters[LOWEST_SCORE_BAR]!.id, 1);
  t.same(await dueNow(), [author.id], 'one taking it back up to the bar does');
});

t.test('votes and likes leave the posts\' indexes alone, and the posts past a bar are listed for the rules', async (t) => {
  const { db, make } = await testApp(t);
  // An index naming score or like_count, in its columns or its predicate, makes every vote and
  // like write a new entry into every index of posts (no HOT update): migrations/0040.
  const naming = await sql<{ name: string }>`
    select i.indexrelid::regclass::text as name from pg_index i
    where i.indrelid = 'posts'::regclass and (
      exists (select 1 from pg_attribute a where a.attrelid = i.indrelid and a.attnum = any(i.indkey) and a.attname in ('score', 'like_count'))
      or coalesce(pg_get_expr(i.indpred, i.indrelid), '') ~ '(score|like_count)'
      or coalesce(pg_get_expr(i.indexprs, i.indrelid), '') ~ '(score|like_count)')`.execute(db);
  t.same(naming.rows, [], 'no index of posts names score or like_count');
  const trigger = await sql<{ def: string }>`select pg_get_triggerdef(oid) as def from pg_trigger where tgname = 'posts_past_bar'`.execute(db);
  t.match(trigger.rows[0]?.def, new RegExp(`new\\.score >= ${LOWEST_SCORE_BAR}\\b`), 'the list starts at the lowest score bar');
  t.match(trigger.rows[0]?.def, new RegExp(`new\\.like_count >= ${LOWEST_LIKE_BAR}\\b`), 'and at the lowest like bar');

  const category = await openCategory(db);
  const author = await make.member({ username: 'author' });
  const { id: threadId } = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Show us your setup', body: 'Mine is a mess.' });
  const post = await createReply(db, { threadId, userId: author.id, body: 'A desk, two screens, a plant.' });
  const listed = async () => (await db.selectFrom('posts_past_bar').select(['post_id', 'user_id']).execute()).map((r) => [r.post_id, r.user_id]);
  await db.updateTable('posts').set({ like_count: LOWEST_LIKE_BAR - 1 }).where('id', '=', post.id).execute();
  t.same(await listed(), [], 'not below the bar');
  await db.updateTable('posts').set({ like_count: LOWEST_LIKE_BAR }).where('id', '=', post.id).execute();
  t.same(await listed(), [[post.id, author.id]], 'listed once it reaches it');
  await db.updateTable('posts').set({ like_count: 3 }).where('id', '=', post.id).execute();
  await db.updateTable('posts').set({ like_count: LOWEST_LIKE_BAR + 5, score: LOWEST_SCORE_BAR }).where('id', '=', post.id).execute();
  t.same(await listed(), [[post.id, author.id]], 'and once only, however often it goes past');
  const other = await make.member({ username: 'other' });
  await db.updateTable('posts').set({ user_id: other.id }).where('id', '=', post.id).execute();
  t.same(await listed(), [[post.id, other.id]], 'its author follows the post');
});

t.test('thresholds: each badge at its number and not one short, dated when it was crossed', async (t) => {
  const { app, db, make } = await testApp(t);
  const category = await openCategory(db);
  const author = await make.member({ username: 'author' });
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Show us your setup', body: 'Mine is a mess.' });
  const likers: Member[] = [];
  for (let i = 0; i < 20; i++) likers.push(await make.member({ username: `liker${i}` }));
  const base = Date.parse('2026-06-01T12:00:00Z');
  // One post liked 19 times, and another once: 20 likes received in all; the 10th like of the first post earns Nice post.
  const popular = await createReply(db, { threadId: thread.id, userId: author.id, body: 'A clean desk at last.' });
  const other = await createReply(db, { threadId: thread.id, userId: author.id, body: 'And the cables hidden.' });
  for (let i = 0; i < 19; i++) await db.insertInto('post_likes').values({ post_id: popular.id, user_id: likers[i]!.id, created_at: new Date(base + i * 60_000) }).execute();
  // The like route keeps a post's count; written here directly, it is set as the route would.
  const count = (postId: number, n: number) => db.updateTable('posts').set({ like_count: n }).where('id', '=', postId).execute();
  await count(popular.id, 19);
  await runAll(db, app.log, app.now);
  t.notOk((await slugs(db, author.id)).includes('liked'), '19 likes received: not yet Liked');
  await db.insertInto('post_likes').values({ post_id: other.id, user_id: likers[19]!.id, created_at: new Date(base + 30 * 60_000) }).execute();
  await count(other.id, 1);
  await runAll(db, app.log, app.now);
  const got = await held(db, author.id);
  t.same(got.find((b) => b.badge === 'liked')?.granted_at, new Date(base + 30 * 60_000), 'the 20th like earns Liked, dated by it');
  t.same(got.find((b) => b.badge === 'nice-post')?.granted_at, new Date(base + 9 * 60_000), 'the 10th like of a post earns Nice post, dated by it');
  t.notOk(got.some((b) => b.badge === 'good-post'), '19 likes on a post: not a Good post');
  t.same((await told(db, author.id)).map((n) => n.link), ['/badges/first-post'], 'grants dated months ago are not told (the first post, today, is)');

  // A visit streak: 9 days, a gap, then 10 in a row.
  const visitor = await make.member({ username: 'visitor' });
  const day = (n: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + n * DAY).toISOString().slice(0, 10);
  const days = [...Array.from({ length: 9 }, (_, i) => day(i)), ...Array.from({ length: 10 }, (_, i) => day(20 + i))];
  await db.insertInto('member_days').values(days.slice(0, 9).map((d) => ({ user_id: visitor.id, day: d }))).execute();
  await runAll(db, app.log, app.now);
  t.notOk((await slugs(db, visitor.id)).includes('regular'), '9 days in a row are not 10');
  await db.insertInto('member_days').values(days.slice(9).map((d) => ({ user_id: visitor.id, day: d }))).execute();
  await runAll(db, app.log, app.now);
  const regular = (await held(db, visitor.id)).find((b) => b.badge === 'regular');
  t.ok(regular, '10 days in a row after a gap: Regular');
  t.equal(regular!.granted_at.toISOString().slice(0, 10), day(30), 'dated the end of the tenth day');

  // Agreed flags, one short of 25 and then 25.
  const flagger = await make.member({ username: 'flagger' });
  const flagged = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Buy cheap watches here', body: 'Spam.' });
  const posts = [];
  for (let i = 0; i < 25; i++) posts.push((await createReply(db, { threadId: flagged.id, userId: author.id, body: `Spam number ${i}` })).id);
  for (const [i, postId] of posts.entries()) {
    await db.insertInto('flags').values({ post_id: postId, user_id: flagger.id, reason: 'spam', weight: 2, outcome: i < 24 ? 'agreed' : 'disagreed', resolved_at: new Date(base + i * 1000) }).execute();
  }
  await runAll(db, app.log, app.now);
  t.same((await slugs(db, flagger.id)).filter((s) => ['watchful', 'steward'].includes(s)), ['watchful'], '24 agreed flags: Watchful, not Steward');
  await db.updateTable('flags').set({ outcome: 'agreed' }).where('post_id', '=', posts[24]!).execute();
  t.ok(await db.selectFrom('badge_due').select('user_id').where('user_id', '=', flagger.id).executeTakeFirst(), 'an agreed flag marks its flagger due');
  await runDue(db, app.log, app.now);
  t.ok((await slugs(db, flagger.id)).includes('steward'), 'the 25th: Steward');
});

t.test('a post anyone may not read earns nothing; a revoked grant is not granted again', async (t) => {
  const { app, db, make } = await testApp(t);
  const member = await make.member({ username: 'insider' });
  const staffOnly = await createCategory(db, { name: 'Staff room', slug: 'staff-room', read_role: 'staff' });
  await createThread(db, { categoryId: staffOnly.id, userId: member.id, title: 'A thread for staff', body: 'Behind closed doors.' });
  await runAll(db, app.log, app.now);
  t.same(await slugs(db, member.id), [], 'a first post in a staff-only category is no First post');

  const open = await openCategory(db);
  await createThread(db, { categoryId: open.id, userId: member.id, title: 'Hello everyone', body: 'Glad to be here.' });
  await runAll(db, app.log, app.now);
  t.same(await slugs(db, member.id), ['first-post']);
  await db.updateTable('user_badges').set({ revoked_at: new Date() }).where('user_id', '=', member.id).execute();
  await runAll(db, app.log, app.now);
  t.same(await slugs(db, member.id), [], 'revoked, it stays revoked');
});

t.test('reading marks a member due for their rank only; a badge fact makes them due for their badges too', async (t) => {
  const { db, make, app } = await testApp(t);
  const category = await make.category();
  const reader = await make.member({ rank: 0 });
  const topic = await createThread(db, { categoryId: category.id, userId: reader.id, title: 'Hello there everyone', body: 'My first post.' });
  await db.deleteFrom('badge_due').execute();
  const day = app.now().toISOString().slice(0, 10);
  const due = () => db.selectFrom('badge_due').select(['user_id', 'badges']).where('user_id', '=', reader.id).execute();

  // A new day is a fact for the streak badges; more read on it is not.
  await db.insertInto('member_days').values({ user_id: reader.id, day, posts_read: 1 }).execute();
  t.same(await due(), [{ user_id: reader.id, badges: true }], 'a new day: due for badges');
  await db.deleteFrom('badge_due').execute();
  await db.updateTable('member_days').set({ posts_read: 40, threads_entered: 6, reading_seconds: 900 }).where('user_id', '=', reader.id).execute();
  t.same(await due(), [{ user_id: reader.id, badges: false }], 'reading more that day: due for the rank only');

  // The job reviews the rank and leaves the badge rules alone: the first post stays unbadged.
  await scheduled.badges_due.run(db, app.log, app.now);
  t.same(await slugs(db, reader.id), [], 'no badge rule ran for a member due for the rank only');
  t.equal((await db.selectFrom('users').select('rank').where('id', '=', reader.id).executeTakeFirstOrThrow()).rank, 1, 'their rank was reviewed: promoted');
  t.same(await due(), [], 'and they are due no more');

  // Due for the rank, then a like: due for the badges as well, and the job grants them.
  await db.updateTable('member_days').set({ posts_read: 41 }).where('user_id', '=', reader.id).execute();
  const liker = await make.member();
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', topic.id).executeTakeFirstOrThrow();
  await db.insertInto('post_likes').values({ post_id: first.id, user_id: liker.id }).execute();
  t.same(await due(), [{ user_id: reader.id, badges: true }], 'a like on their post: due for badges too');
  await scheduled.badges_due.run(db, app.log, app.now);
  t.same(await slugs(db, reader.id), ['first-post'], 'the badge rules ran');
});

t.test('two processes taking the due members at once grant nothing twice', async (t) => {
  const { app, db, make, databaseUrl } = await testApp(t);
  const other = await buildApp(testConfig(databaseUrl));
  t.teardown(() => other.close());
  const category = await openCategory(db);
  const members: Member[] = [];
  for (let i = 0; i < 30; i++) members.push(await make.member());
  for (const m of members) await createThread(db, { categoryId: category.id, userId: m.id, title: `Hello from ${m.username}`, body: 'My first post here.' });
  const due = await db.selectFrom('badge_due').select('user_id').execute();
  t.equal(due.length, 30, 'all 30 are due');

  // Both at once, twice over, and a full run on top.
  const results = await Promise.all([takeDue(db, app.now(), app.log), takeDue(other.db, other.now(), other.log), runAll(other.db, other.log, other.now)]);
  await Promise.all([takeDue(db, app.now(), app.log), takeDue(other.db, other.now(), other.log)]);
  const taken = [...results[0], ...results[1]];
  t.equal(new Set(taken).size, taken.length, 'no member was taken by both');
  const grants = await db.selectFrom('user_badges').select([sql<number>`count(*)::int`.as('n')]).where('badge', '=', 'first-post').executeTakeFirstOrThrow();
  t.equal(grants.n, 30, 'one First post each');
  const notices = await db
    .selectFrom('notifications')
    .select(['user_id', sql<number>`count(*)::int`.as('n')])
    .where('kind', '=', 'badge')
    .groupBy('user_id')
    .execute();
  t.equal(notices.length, 30, 'everyone told');
  t.ok(notices.every((n) => n.n === 1), 'once');
});

t.test('/badges lists every badge with its holders; a badge page pages its holders, newest first', async (t) => {
  const { db, make, signIn } = await testApp(t, { cache: { guestPages: false } });
  const guest = make.guest();
  const holders: Member[] = [];
  for (let i = 0; i < 53; i++) holders.push(await make.member({ username: `holder${String(i).padStart(2, '0')}` }));
  const at = Date.parse('2026-01-01T00:00:00Z');
  await db
    .insertInto('user_badges')
    .values(holders.map((h, i) => ({ user_id: h.id, badge: 'supporter', granted_at: new Date(at + i * 1000) })))
    .execute();

  const index = (await guest.get('/badges')).page();
  t.equal(index.querySelectorAll('.badge-item').length, badges.length, 'every badge is listed');
  t.match(index.querySelector('[data-badge=supporter] .badge-holders')!.text, /53 holders/);
  t.match(index.querySelector('[data-badge=oracle] .badge-holders')!.text, /0 holders/);

  const first = (await guest.get('/badges/supporter')).page();
  const names = (p: typeof first) => p.querySelectorAll('.badge-holder').map((h) => h.getAttribute('data-username'));
  t.equal(names(first).length, 50, 'fifty to a page');
  t.equal(names(first)[0], 'holder52', 'the newest first');
  const next = first.querySelector('a[rel=next]')!.getAttribute('href')!;
  const second = (await guest.get(next)).page();
  t.same(names(second), ['holder02', 'holder01', 'holder00'], 'the rest on the next page');
  t.notOk(second.querySelector('a[rel=next]'), 'and no page after it');
  t.notOk(first.querySelector('form.badge-grant'), 'a guest sees no grant form');
  t.equal((await guest.get('/badges/no-such-badge')).statusCode, 404);
  t.equal((await guest.get('/badges/supporter?after=yesterday')).statusCode, 404, 'a cursor that names no page');

  const member = await signIn(await make.member());
  t.equal((await member.submit('/badges/supporter/grant', { username: 'holder00', reason: 'Because' })).statusCode, 403, 'members may not grant');
});

t.test('admins grant and revoke by hand, with a reason, logged; bad input keeps the form', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const admin = await make.member({ role: 'admin', username: 'theadmin' });
  const member = await make.member({ username: 'fan' });
  const agent = await signIn(admin);
  await agent.get('/badges/ambassador');

  const unknown = await agent.submit('/badges/nominated/grant', { username: 'nobody', reason: 'For the meetup' });
  t.equal(unknown.statusCode, 422, 'an unknown member is refused');
  const form = unknown.page();
  t.match(form.querySelector('#error-username')?.text ?? '', /There is no member called “nobody”/);
  t.equal(form.querySelector('input[name=reason]')!.getAttribute('value'), 'For the meetup', 'the reason is kept');
  const noReason = await agent.submit('/badges/nominated/grant', { username: 'fan', reason: ' ' });
  t.equal(noReason.statusCode, 422);
  t.match(noReason.page().querySelector('#error-reason')?.text ?? '', /Say why/);

  t.equal((await agent.submit('/badges/nominated/grant', { username: 'fan', reason: 'Ran the spring meetup' })).statusCode, 303, 'granted');
  t.same(await slugs(db, member.id), ['nominated']);
  const twice = await agent.submit('/badges/nominated/grant', { username: 'FAN', reason: 'Again' });
  t.match(twice.page().querySelector('#error-username')?.text ?? '', /already holds/, 'a badge earned once is not granted twice');
  t.equal((await agent.submit('/badges/nice-post/grant', { username: 'fan', reason: 'One' })).statusCode, 303);
  t.equal((await agent.submit('/badges/nice-post/grant', { username: 'fan', reason: 'Two' })).statusCode, 303, 'one earned more than once is');
  t.equal((await held(db, member.id)).filter((b) => b.badge === 'nice-post').length, 2);

  const page = (await agent.get('/badges/nominated')).page();
  const holder = page.querySelector('.badge-holder[data-username=fan]')!;
  t.match(holder.text, /granted by staff/);
  const grant = holder.querySelector('input[name=grant]')!.getAttribute('value')!;
  t.equal((await agent.submit('/badges/nominated/revoke', { grant, reason: '' })).statusCode, 422, 'a revocation needs a reason');
  t.equal((await agent.submit('/badges/nominated/revoke', { grant, reason: 'Granted to the wrong fan' })).statusCode, 303, 'revoked');
  t.equal((await agent.submit('/badges/nominated/revoke', { grant, reason: 'Again' })).statusCode, 404, 'a grant revoked is not there to revoke again');
  t.same(await slugs(db, member.id), ['nice-post', 'nice-post']);

  const log = await db.selectFrom('staff_log').select(['action', 'reason', 'target_label']).where('target_type', '=', 'badge').orderBy('id').execute();
  t.same(log.map((l) => [l.action, l.reason]), [
    ['badge.grant', 'Ran the spring meetup'], ['badge.grant', 'One'], ['badge.grant', 'Two'], ['badge.revoke', 'Granted to the wrong fan'],
  ], 'every grant and revocation is in the staff log with its reason');
  t.equal((await told(db, member.id)).length, 3, 'the member is told of each grant');
});

t.test('the due job runs on the queue: badges and ranks', async (t) => {
  const { app, db, make } = await testApp(t, { jobs: true });
  const runner = app.jobs!;
  const member = await make.member({ rank: 0 });
  const category = await openCategory(db);
  await createThread(db, { categoryId: category.id, userId: member.id, title: 'Hello from the queue', body: 'A first post.' });
  // A newcomer's reading, as the batched counter writes it: enough for rank 1.
  await db.insertInto('member_days').values({ user_id: member.id, day: app.now().toISOString().slice(0, 10), threads_entered: 5, posts_read: 30, reading_seconds: 600 }).execute();
  const done = new Promise<void>((resolve) =>
    runner.events.on('job:complete', ({ job, error }) => {
      if (job.task_identifier !== 'badges_due') return;
      if (error) t.fail(`badges_due failed: ${String(error)}`);
      resolve();
    }),
  );
  await runner.addJob('badges_due', {});
  await done;
  t.same(await slugs(db, member.id), ['first-post'], 'granted by the job');
  const after = await db.selectFrom('users').select('rank').where('id', '=', member.id).executeTakeFirstOrThrow();
  t.equal(after.rank, 1, 'and the same run promoted the newcomer who had read enough');
  t.ok(await db.selectFrom('notifications').select('id').where('user_id', '=', member.id).where('kind', '=', 'rank').executeTakeFirst(), 'who is told');
});

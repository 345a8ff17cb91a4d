import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { castVote } from '../../server/qa/queries.ts';
import { createReply } from '../../server/threads/queries.ts';
import { testApp, type Member } from '../helpers/app.ts';
import type { Db } from '../../server/db/index.ts';
import { reputationDifferences } from '../../server/reputation/check.ts';
import { runScript } from '../helpers/process.ts';

const reputationOf = async (db: Db, m: Member) => (await db.selectFrom('users').select('reputation').where('id', '=', m.id).executeTakeFirstOrThrow()).reputation;
const scoreOf = async (db: Db, postId: number) => (await db.selectFrom('posts').select('score').where('id', '=', postId).executeTakeFirstOrThrow()).score;

/** Every member's total against the sum of their events: the ledger and the cache agree. */
async function ledgerAgrees(t: Test, db: Db) {
  t.same((await reputationDifferences(db)).differences, [], 'every total is 1 plus the sum of its events');
}

async function setup(t: Test) {
  const env = await testApp(t);
  const { make, db } = env;
  const asker = await make.member();
  const answerer = await make.member();
  const question = await make.thread({ by: asker, kind: 'question', title: 'How do I reset the router?' });
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', question.id).where('post_number', '=', 1).executeTakeFirstOrThrow();
  const answer = await createReply(db, { threadId: question.id, userId: answerer.id, body: 'Hold the button for ten seconds.' });
  return { ...env, asker, answerer, question, questionPost: first.id, answer: answer.id };
}

t.test('votes on a question and an answer move their scores and their authors’ reputation', async (t) => {
  const { db, make, signIn, asker, answerer, question, questionPost, answer } = await setup(t);
  const voter = await signIn(await make.member({ rank: 1 }));
  await voter.get('/');

  let res = await voter.submit(`/p/${questionPost}/vote`, { value: '1' });
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, new RegExp(`#post-${questionPost}$`));
  t.equal(await scoreOf(db, questionPost), 1);
  t.equal(await reputationOf(db, asker), 6, 'a question upvoted: +5');

  res = await voter.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(await scoreOf(db, answer), 1);
  t.equal(await reputationOf(db, answerer), 11, 'an answer upvoted: +10');

  res = await voter.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(await scoreOf(db, answer), 1, 'the same vote again changes nothing');

  res = await voter.submit(`/p/${answer}/vote`, { value: '0' });
  t.equal(res.statusCode, 303);
  t.equal(await scoreOf(db, answer), 0);
  t.equal(await reputationOf(db, answerer), 1, 'a vote taken back takes its reputation back');

  res = await voter.submit(`/p/${answer}/vote`, { value: '-1' });
  t.equal(res.statusCode, 403, 'downvotes open at rank 2');
  t.match(res.page().text, /Downvotes open at rank 2/);

  const senior = await signIn(await make.member({ rank: 2 }));
  await senior.get('/');
  await voter.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(await reputationOf(db, answerer), 11);
  res = await senior.submit(`/p/${answer}/vote`, { value: '-1' });
  t.equal(res.statusCode, 303);
  t.equal(await scoreOf(db, answer), 0, 'one up, one down');
  t.equal(await reputationOf(db, answerer), 9, 'downvoted: −2');
  const seniorId = (await db.selectFrom('users').select(['id', 'reputation']).where('rank', '=', 2).executeTakeFirstOrThrow());
  t.equal(seniorId.reputation, 1, 'the voter pays 1 for downvoting an answer, but no one goes below 1');
  const paid = await db.selectFrom('reputation_events').select(['kind', 'points']).where('user_id', '=', seniorId.id).execute();
  t.same(paid, [{ kind: 'downvoted_answer', points: 0 }], 'the event records what actually moved');

  // Changing a vote undoes the one before.
  res = await senior.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(await scoreOf(db, answer), 2);
  t.equal(await reputationOf(db, answerer), 21);

  const self = await signIn(answerer);
  await self.get('/');
  res = await self.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(res.statusCode, 403, 'not on your own post');
  const guest = make.guest();
  await guest.get('/');
  t.equal((await guest.submit(`/p/${answer}/vote`, { value: '1' })).statusCode, 401);
  t.equal((await voter.submit(`/p/${answer}/vote`, { value: '2' })).statusCode, 422, 'a value that is none of 1, -1, 0 is refused by the form');

  const discussion = await make.thread();
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', discussion.id).executeTakeFirstOrThrow();
  t.equal((await voter.submit(`/p/${post.id}/vote`, { value: '1' })).statusCode, 409, 'a discussion takes no votes');

  const page = await voter.page(`/t/${question.id}/${question.slug}?page=1`);
  t.equal(page.querySelector(`#votes-${answer} .score`)?.text, '2');
  // With htmx a vote answers the post's votes alone, as the page draws them after a reload.
  const fragment = await senior.submit(`/p/${answer}/vote`, { value: '0' }, { htmx: true });
  t.equal(fragment.statusCode, 200);
  t.notMatch(fragment.body, /<html/);
  const reloaded = await senior.page(`/t/${question.id}/${question.slug}?page=1`);
  const norm = (html: string | undefined) => (html ?? '').replace(/\s+/g, ' ').trim();
  t.equal(norm(fragment.page().querySelector(`#votes-${answer}`)?.outerHTML), norm(reloaded.querySelector(`#votes-${answer}`)?.outerHTML), 'the fragment is the block the page shows');
  t.equal(reloaded.querySelector(`#votes-${answer} .score`)?.text, '1');
  t.equal(reloaded.querySelector(`#votes-${answer} .vote-down`)?.getAttribute('aria-pressed'), 'false', 'the downvote is taken back');
  await senior.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(page.querySelector(`#votes-${answer} .vote-up`)?.getAttribute('aria-pressed'), 'true', 'the voter sees their vote');
  t.equal(page.querySelector(`#votes-${answer} .vote-down`), null, 'and no downvote below rank 2');
  const guestPage = await guest.page(`/t/${question.id}/${question.slug}?page=1`);
  t.equal(guestPage.querySelector(`#votes-${answer} .score`)?.text, '2', 'guests see the score');
  t.equal(guestPage.querySelector(`#votes-${answer} form`), null, 'but no forms');
  // The answerer's profile shows the total and where it came from.
  const profile = await guest.page(`/u/${answerer.username}`);
  t.equal(profile.querySelector('.reputation')?.text, '21');
  const history = profile.querySelectorAll('.reputation-history li').map((li) => li.text.replace(/\s+/g, ' ').trim());
  t.match(history[0], /^\+10 Answer upvoted: How do I reset the router\?/, 'the latest event first, with its post');
  t.ok(history.some((h) => /^-2 Post downvoted/.test(h)), 'a downvote is there');
  t.ok(history.some((h) => /^-10 Answer upvoted \(undone\)/.test(h)), 'and an undone vote');
  // A question's posts move with their scores: the link finds the page when it is followed.
  t.equal(profile.querySelector('.reputation-history a')?.getAttribute('href'), `/p/${answer}`);
  await ledgerAgrees(t, db);
});

t.test('the asker accepts an answer, changes it and undoes it; others may not', async (t) => {
  const { db, make, signIn, asker, answerer, question, questionPost, answer } = await setup(t);
  const second = await make.member();
  const other = await createReply(db, { threadId: question.id, userId: second.id, body: 'Or unplug it for a minute.' });
  const me = await signIn(asker);
  await me.get('/');

  let res = await me.submit(`/p/${answer}/accept`);
  t.equal(res.statusCode, 303);
  const accepted = async () => (await db.selectFrom('threads').select('accepted_post_id').where('id', '=', question.id).executeTakeFirstOrThrow()).accepted_post_id;
  t.equal(await accepted(), answer);
  t.equal(await reputationOf(db, answerer), 16, 'accepted: +15');
  t.equal(await reputationOf(db, asker), 3, 'the acceptor: +2');

  let page = await me.page(`/t/${question.id}/${question.slug}?page=1`);
  t.ok(page.querySelector(`#post-${answer}.post-accepted`), 'the accepted answer is marked');
  t.same(page.querySelectorAll('article.post').map((a) => a.getAttribute('id')).slice(0, 2), [`post-${questionPost}`, `post-${answer}`], 'and right under the question');
  t.equal(page.querySelector(`#votes-${answer} .accept-button`)?.text.trim(), 'Undo accept');

  res = await me.submit(`/p/${other.id}/accept`);
  t.equal(await accepted(), other.id, 'another answer takes its place');
  t.equal(await reputationOf(db, answerer), 1, 'the first one’s reputation is taken back');
  t.equal(await reputationOf(db, second), 16);
  t.equal(await reputationOf(db, asker), 3, 'the acceptor keeps +2 for the answer accepted now, not twice');

  res = await me.submit(`/p/${other.id}/accept`);
  t.equal(await accepted(), null, 'accepting the accepted answer undoes it');
  t.equal(await reputationOf(db, second), 1);
  t.equal(await reputationOf(db, asker), 1);

  t.equal((await me.submit(`/p/${questionPost}/accept`)).statusCode, 409, 'the question is not its own answer');
  const stranger = await signIn(await make.member());
  await stranger.get('/');
  res = await stranger.submit(`/p/${answer}/accept`);
  t.equal(res.statusCode, 403, 'only the asker');
  t.equal(await accepted(), null);
  page = await stranger.page(`/t/${question.id}/${question.slug}?page=1`);
  t.equal(page.querySelector('.accept-button'), null, 'and no button for others');

  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.get('/');
  res = await staff.submit(`/p/${answer}/accept`);
  t.equal(res.statusCode, 303, 'or staff');
  t.equal(await accepted(), answer);
  await ledgerAgrees(t, db);
});

t.test('50 members voting on one answer at once give the exact score and reputation', async (t) => {
  const { db, make, signIn, answerer, answer } = await setup(t);
  const agents = await Promise.all(Array.from({ length: 50 }, async () => signIn(await make.member())));
  await Promise.all(agents.map((a) => a.get('/')));
  const results = await Promise.all(agents.map((a) => a.submit(`/p/${answer}/vote`, { value: '1' })));
  t.same(results.map((r) => r.statusCode), Array(50).fill(303));
  t.equal(await scoreOf(db, answer), 50);
  const votes = await db.selectFrom('post_votes').select('user_id').where('post_id', '=', answer).execute();
  t.equal(votes.length, 50);
  // 50 × 10 is past the day's cap of 200 from votes.
  t.equal(await reputationOf(db, answerer), 201, 'the daily cap holds under concurrency');
  const back = await Promise.all(agents.slice(0, 20).map((a) => a.submit(`/p/${answer}/vote`, { value: '0' })));
  t.same(back.map((r) => r.statusCode), Array(20).fill(303));
  t.equal(await scoreOf(db, answer), 30);
  await ledgerAgrees(t, db);
});

t.test('a vote decided on a read that another write overtakes is decided again under the locks', async (t) => {
  const { db, app, make, answerer, answer } = await setup(t);
  const { thread_id } = await db.selectFrom('posts').select('thread_id').where('id', '=', answer).executeTakeFirstOrThrow();
  const second = await createReply(db, { threadId: thread_id, userId: answerer.id, body: 'Or unplug it for a minute.' });
  const [one, two, three] = await Promise.all([make.member({ rank: 2 }), make.member({ rank: 2 }), make.member({ rank: 2 })]);
  const plain = (voterId: number, postId: number, value: -1 | 0 | 1) => castVote(db, { postId, voterId, value, at: app.now(), check: () => {} });
  /** The vote, with `meanwhile` done between its first read and its write; answers how often it was read and checked. */
  async function overtaken(voterId: number, postId: number, value: -1 | 0 | 1, meanwhile: () => Promise<unknown>) {
    let checks = 0;
    await castVote(db, {
      postId, voterId, value, at: app.now(),
      check: async () => {
        if (checks++ === 0) await meanwhile();
      },
    });
    return checks;
  }

  t.equal(await overtaken(one.id, answer, 1, () => Promise.resolve()), 1, 'a vote nothing overtakes is read and checked once');
  t.equal(await overtaken(two.id, answer, 1, () => plain(three.id, answer, 1)), 2, 'one overtaken by a vote on the post is decided again');
  t.equal(await scoreOf(db, answer), 3, 'every vote counts');
  t.equal(await reputationOf(db, answerer), 31, 'and moved the author once');

  t.equal(await overtaken(three.id, answer, 0, () => plain(one.id, second.id, 1)), 2, 'so is one whose author moved meanwhile (a vote on another of their posts)');
  t.equal(await scoreOf(db, answer), 2);
  t.equal(await scoreOf(db, second.id), 1);
  t.equal(await reputationOf(db, answerer), 31, 'taken back: its 10 given back; the other post’s vote: 10 more');

  t.equal(await overtaken(one.id, answer, -1, () => plain(two.id, answer, 0)), 2, 'and a vote changed, overtaken by one taken back');
  t.equal(await scoreOf(db, answer), -1, 'one down, the rest taken back');
  t.same(
    await db.selectFrom('post_votes').select(['user_id', 'value']).where('post_id', '=', answer).execute(),
    [{ user_id: one.id, value: -1 }],
    'each member’s vote is as they last cast it',
  );
  await ledgerAgrees(t, db);
});

t.test('the same member’s vote sent twice at once, behind another write to the post, counts once', async (t) => {
  const { db, app, make, answerer, answer } = await setup(t);
  const voter = await make.member();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // Another write holds the post's row, so both sends wait for it and then find the post moved.
  const blocker = db.transaction().execute(async (tx) => {
    await sql`update posts set like_count = like_count where id = ${answer}`.execute(tx);
    await gate;
  });
  await new Promise((r) => setTimeout(r, 50));
  const sends = [1, 2].map(() => castVote(db, { postId: answer, voterId: voter.id, value: 1, at: app.now(), check: () => {} }));
  // Both are waiting on the row's lock.
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n >= 2) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  release();
  await blocker;
  const results = await Promise.allSettled(sends);
  t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled'], 'neither fails');
  t.equal(await scoreOf(db, answer), 1, 'the vote counts once');
  t.equal((await db.selectFrom('post_votes').select('user_id').where('post_id', '=', answer).execute()).length, 1);
  t.equal(await reputationOf(db, answerer), 11, 'and moves the author once');
  await ledgerAgrees(t, db);
});

t.test('the daily cap counts a UTC day: reached, it holds all day, and the next day votes count again', async (t) => {
  const { db, make, signIn, answerer, answer, clock } = await setup(t);
  // Early in a UTC day, so that the votes below all fall in it.
  const now = clock.now();
  clock.advance((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 10) - now.getTime()) / 1000);
  const agents = await Promise.all(Array.from({ length: 22 }, async () => signIn(await make.member())));
  await Promise.all(agents.map((a) => a.get('/')));
  for (const a of agents.slice(0, 21)) t.equal((await a.submit(`/p/${answer}/vote`, { value: '1' })).statusCode, 303);
  t.equal(await reputationOf(db, answerer), 201, '21 upvotes in a day give 200, the cap');
  const kept = await db.selectFrom('users').select(['vote_gains', 'vote_gains_on']).where('id', '=', answerer.id).executeTakeFirstOrThrow();
  t.same(kept, { vote_gains: 200, vote_gains_on: clock.now().toISOString().slice(0, 10) }, 'the day’s gains are kept on the member’s row');
  clock.advance(12 * 3600);
  t.equal((await agents[0].submit(`/p/${answer}/vote`, { value: '0' })).statusCode, 303);
  t.equal(await reputationOf(db, answerer), 191, 'a vote taken back later the same day takes its 10 back');
  t.equal((await agents[0].submit(`/p/${answer}/vote`, { value: '1' })).statusCode, 303);
  t.equal(await reputationOf(db, answerer), 191, 'and cast again, it gains nothing: the day’s gains are at the cap');
  clock.advance(12 * 3600);
  t.equal((await agents[21].submit(`/p/${answer}/vote`, { value: '1' })).statusCode, 303);
  t.equal(await reputationOf(db, answerer), 201, 'the next UTC day, a vote counts again');
  await ledgerAgrees(t, db);
});

t.test('a question is asked from the new-thread form', async (t) => {
  const { db, make, signIn } = await testApp(t);
  const category = await make.category();
  const member = await signIn(await make.member());
  const form = await member.page(`/c/${category.slug}/new`);
  t.ok(form.querySelector('input[type=radio][name=kind][value=question]'), 'the form offers a question');
  t.equal(form.querySelector('input[name=kind]:checked')?.getAttribute('value'), 'discussion', 'a discussion by default');
  let res = await member.submit(`/c/${category.slug}/threads`, { title: 'Why is the light blinking?', body: 'It blinks orange.', kind: 'question' });
  t.equal(res.statusCode, 303);
  const thread = await db.selectFrom('threads').select('kind').where('title', '=', 'Why is the light blinking?').executeTakeFirstOrThrow();
  t.equal(thread.kind, 'question');
  res = await member.submit(`/c/${category.slug}/threads`, { title: 'An announcement of mine', body: 'Hello.', kind: 'announcement' });
  t.equal(res.statusCode, 422, 'a kind members may not start');
  t.equal(res.page().querySelector('input[name=kind][value=discussion]:checked') !== null, true, 'the form is shown again');
  t.match(res.page().querySelector('#error-kind')?.text ?? '', /Choose a kind/);
});

t.test('npm run reputation:check finds no difference, and names a total that is off', async (t) => {
  const { db, make, signIn, answerer, answer, databaseUrl } = await setup(t);
  const voter = await signIn(await make.member());
  await voter.get('/');
  await voter.submit(`/p/${answer}/vote`, { value: '1' });
  const check = async () => {
    const run = runScript('scripts/reputation-check.ts', { env: { DATABASE_URL: databaseUrl, NODE_ENV: 'test' } });
    return { status: await run.exited, out: run.out() + run.err() };
  };
  let result = await check();
  t.equal(result.status, 0, result.out);
  t.match(result.out, /All \d+ members' reputation matches the ledger/);
  await db.updateTable('users').set({ reputation: 99 }).where('id', '=', answerer.id).execute();
  result = await check();
  t.equal(result.status, 1);
  t.match(result.out, new RegExp(`${answerer.username} \\(id ${answerer.id}\\): total 99, events say 11`));
  t.match(result.out, /1 of \d+ members differ/);
});

t.test('a post hidden by a moderator costs its author 10, given back when it is restored', async (t) => {
  const { db, make, signIn, answerer, answer } = await setup(t);
  const voter = await signIn(await make.member());
  await voter.get('/');
  await voter.submit(`/p/${answer}/vote`, { value: '1' });
  t.equal(await reputationOf(db, answerer), 11);
  const { openPostItem } = await import('../../server/moderation/items.ts');
  const mod = await signIn(await make.member({ role: 'moderator' }));
  const hide = await openPostItem(db, { kind: 'flag', postId: answer, detail: 'Looks wrong' });
  await mod.get(`/mod/items/${hide.id}`);
  let res = await mod.submit(`/mod/items/${hide.id}`, { action: 'hide', note: 'Off topic' });
  t.equal(res.statusCode, 303);
  t.equal(await reputationOf(db, answerer), 1, 'hidden by moderation: −10');
  const again = await openPostItem(db, { kind: 'flag', postId: answer, detail: 'Still wrong' });
  await mod.get(`/mod/items/${again.id}`);
  res = await mod.submit(`/mod/items/${again.id}`, { action: 'hide', note: 'Still off topic' });
  t.equal(await reputationOf(db, answerer), 1, 'not twice while it stays hidden');
  const restore = await openPostItem(db, { kind: 'flag', postId: answer, detail: 'Please look again' });
  await mod.get(`/mod/items/${restore.id}`);
  res = await mod.submit(`/mod/items/${restore.id}`, { action: 'approve', note: 'It was fine' });
  t.equal(res.statusCode, 303);
  t.equal(await reputationOf(db, answerer), 11, 'restored: given back');
  await ledgerAgrees(t, db);
});

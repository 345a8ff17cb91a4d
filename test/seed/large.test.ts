// `npm run seed -- --posts N`: a large synthetic community whose counters agree with its rows,
// whose members and sessions work, and whose text search can find.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import t, { type Test } from 'tap';
import { verifyPassword } from '../../server/accounts/passwords.ts';
import { withDatabase } from '../../server/db/embedded.ts';
import type { Db } from '../../server/db/index.ts';
import { cook } from '../../server/text/cook.ts';
import {
  BENCH_PASSWORD,
  benchSessionCookie,
  emptyCommunity,
  hasThreads,
  replyCounts,
  seedLarge,
  type SeedProgress,
} from '../../server/seed/large.ts';
import { words } from '../../server/seed/words.ts';
import { reputationDifferences } from '../../server/reputation/check.ts';
import { dayStart, pointsFor, REPUTATION_FLOOR, voteKinds } from '../../server/reputation/rules.ts';
import { grantBadges } from '../../server/badges/grant.ts';
import { SESSION_COOKIE } from '../../server/sessions/index.ts';
import { testApp } from '../helpers/app.ts';
import { cloneDatabase } from '../helpers/database.ts';

const secret = 'a test secret that is long enough to sign cookies';
const root = path.resolve(import.meta.dirname, '../..');

async function count(db: Db, query: ReturnType<typeof sql>) {
  const { rows } = await sql<{ n: number }>`select (${query})::int as n`.execute(db);
  return rows[0].n;
}

/** The counters and derived columns agree with the rows, and every reference holds. */
async function checkConsistent(t: Test, db: Db) {
  const n = (query: ReturnType<typeof sql>) => count(db, query);
  t.equal(
    await n(sql`
      select count(*) from threads t
      join lateral (select count(*) as k, min(post_number) as lo, max(post_number) as hi from posts where thread_id = t.id) p on true
      where not (p.lo = 1 and p.hi = p.k and t.reply_count = p.k - 1 and t.last_post_number = p.k)`),
    0,
    'each thread: post numbers 1…k without gaps, reply_count k − 1, last_post_number k',
  );
  t.equal(
    await n(sql`
      select count(*) from threads t join posts p on p.thread_id = t.id and p.post_number = t.last_post_number
      where t.last_post_at <> p.created_at or t.last_post_user_id <> p.user_id`),
    0,
    'last_post_at and last_post_user_id are the last post’s',
  );
  t.equal(
    await n(sql`
      select count(*) from threads t join posts p on p.thread_id = t.id and p.post_number = 1
      where p.created_at <> t.created_at or p.user_id <> t.user_id`),
    0,
    'the first post is the thread’s start, by its author',
  );
  t.equal(
    await n(sql`
      select count(*) from posts p join posts q on q.thread_id = p.thread_id and q.post_number = p.post_number + 1
      where q.created_at <= p.created_at`),
    0,
    'posts come in post-number order',
  );
  t.equal(await n(sql`select count(*) from posts where created_at > now()`), 0, 'nothing in the future');
  t.equal(await n(sql`select count(*) from posts where created_at < now() - interval '731 days'`), 0, 'over the last two years');
  t.equal(await n(sql`select count(*) from threads where view_count < 1`), 0);

  t.equal(
    await n(sql`
      select count(*) from posts p
      where p.like_count <> (select count(*) from post_likes l where l.post_id = p.id)`),
    0,
    'like_count is the number of likes',
  );
  t.equal(await n(sql`select count(*) from post_likes l join posts p on p.id = l.post_id where l.user_id = p.user_id`), 0, 'no one likes their own post');
  t.equal(
    await n(sql`
      select count(*) from categories c
      where c.thread_count <> (select count(*) from threads t where t.category_id = c.id)`),
    0,
    'categories count their threads',
  );
  t.equal(
    await n(sql`select count(*) from tags g where g.thread_count <> (select count(*) from thread_tags tt where tt.tag_id = g.id)`),
    0,
    'tags count their threads',
  );
  t.equal(
    await n(sql`
      select count(*) from users u
      where u.post_count <> (select count(*) from posts p join threads t on t.id = p.thread_id
                             where p.user_id = u.id and p.deleted_at is null and p.hidden_at is null and p.pending_at is null
                               and t.deleted_at is null and t.hidden_at is null and t.pending_at is null)
         or u.thread_count <> (select count(*) from threads t
                               where t.user_id = u.id and t.deleted_at is null and t.hidden_at is null and t.pending_at is null)`),
    0,
    'members count their public posts and threads',
  );
  t.ok(await n(sql`select sum(post_count) from users`), 'members have posts counted');
  t.ok(await n(sql`select count(*) from thread_tags`), 'threads carry tags');
  t.ok((await n(sql`select max(k) from (select count(*) as k from thread_tags group by thread_id) x`)) <= 3, 'at most 3 per thread');
  t.equal(
    await n(sql`select count(*) from thread_reads r join threads t on t.id = r.thread_id where r.last_read_post_number not between 1 and t.last_post_number`),
    0,
    'read marks point at posts that exist',
  );

  // Questions: votes, scores, accepted answers, and the reputation they gave.
  t.equal(
    await n(sql`select count(*) from posts p where p.score <> (select coalesce(sum(value), 0) from post_votes v where v.post_id = p.id)`),
    0,
    'score is the sum of the votes',
  );
  t.equal(await n(sql`select count(*) from post_votes v join posts p on p.id = v.post_id where v.user_id = p.user_id`), 0, 'no one votes on their own post');
  t.equal(
    await n(sql`select count(*) from post_votes v join posts p on p.id = v.post_id join threads t on t.id = p.thread_id where t.kind <> 'question'`),
    0,
    'votes are on questions and their answers only',
  );
  t.equal(
    await n(sql`select count(*) from post_votes v join users u on u.id = v.user_id where v.value = -1 and u.rank < 2 and u.role = 'member'`),
    0,
    'downvotes come from rank 2 and up (or moderators)',
  );
  t.equal(
    await n(sql`select count(*) from post_votes v join posts p on p.id = v.post_id where v.created_at < p.created_at or v.created_at > now()`),
    0,
    'a vote comes after its post, and not in the future',
  );
  t.equal(
    await n(sql`
      select count(*) from threads t left join posts a on a.id = t.accepted_post_id
      where t.accepted_post_id is not null and (t.kind <> 'question' or a.thread_id is distinct from t.id or a.post_number < 2)`),
    0,
    'an accepted answer is an answer of its own question',
  );
  t.equal(
    await n(sql`
      select count(*) from reputation_events e
      where e.kind = 'answer_accepted'
        and not exists (select 1 from threads t where t.accepted_post_id = e.post_id)`)
      + (await n(sql`
      select count(*) from threads t
      where t.accepted_post_id is not null
        and not exists (select 1 from reputation_events e where e.kind = 'answer_accepted' and e.post_id = t.accepted_post_id)`)),
    0,
    'each accepted answer has its event, and each event its accepted answer',
  );
  t.equal(
    await n(sql`
      select count(*) from post_votes v join posts p on p.id = v.post_id
      where not exists (select 1 from reputation_events e where e.post_id = v.post_id and e.actor_id = v.user_id
                          and e.user_id = p.user_id and e.created_at = v.created_at
                          and e.kind = case when v.value = -1 then 'post_downvoted' when p.post_number > 1 then 'answer_upvoted' else 'question_upvoted' end)`),
    0,
    'each vote gave its author an event',
  );
  t.same((await reputationDifferences(db)).differences, [], 'every member’s reputation is 1 plus the sum of their events');
  t.equal(await n(sql`select count(*) from reputation_events where created_at > now()`), 0, 'no event in the future');
  t.same(await replayDifferences(db), [], 'each event moved what the ledger’s rules would have moved then (the daily cap, the floor)');

  // The foreign keys were not checked while seeding: every reference must still hold.
  t.equal(
    await n(sql`
      select (select count(*) from posts p where not exists (select 1 from threads t where t.id = p.thread_id))
           + (select count(*) from posts p where not exists (select 1 from users u where u.id = p.user_id))
           + (select count(*) from threads t where not exists (select 1 from categories c where c.id = t.category_id))
           + (select count(*) from threads t where not exists (select 1 from users u where u.id = t.user_id))
           + (select count(*) from threads t where not exists (select 1 from users u where u.id = t.last_post_user_id))
           + (select count(*) from post_likes l where not exists (select 1 from users u where u.id = l.user_id))
           + (select count(*) from post_votes v where not exists (select 1 from users u where u.id = v.user_id))
           + (select count(*) from post_votes v where not exists (select 1 from posts p where p.id = v.post_id))
           + (select count(*) from threads t where t.accepted_post_id is not null and not exists (select 1 from posts p where p.id = t.accepted_post_id))
           + (select count(*) from reputation_events e where not exists (select 1 from users u where u.id = e.user_id))
           + (select count(*) from reputation_events e where not exists (select 1 from posts p where p.id = e.post_id))
           + (select count(*) from thread_reads r where not exists (select 1 from users u where u.id = r.user_id))
           + (select count(*) from thread_tags tt where not exists (select 1 from tags g where g.id = tt.tag_id))
           + (select count(*) from sessions s where not exists (select 1 from users u where u.id = s.user_id))`),
    0,
    'no row points at a missing one',
  );
  t.equal(
    await n(sql`
      select count(*) from posts p join threads t on t.id = p.thread_id
      where p.search_vector is distinct from post_search_vector(case when p.post_number = 1 then t.title end, p.raw)`),
    0,
    'search vectors are what the search trigger makes',
  );
}

/**
 * Every member's events replayed in order through the ledger's rules (pointsFor): the events whose
 * recorded points differ from what the app would have moved at that moment.
 */
async function replayDifferences(db: Db) {
  const events = await db.selectFrom('reputation_events').select(['id', 'user_id', 'kind', 'points', 'created_at']).orderBy('user_id').orderBy('id').execute();
  const wrong: string[] = [];
  let member = -1;
  let total = REPUTATION_FLOOR;
  let day = 0;
  let gainedToday = 0;
  for (const e of events) {
    if (e.user_id !== member) [member, total, day, gainedToday] = [e.user_id, REPUTATION_FLOOR, 0, 0];
    const start = dayStart(e.created_at).getTime();
    if (start !== day) [day, gainedToday] = [start, 0];
    const points = pointsFor(e.kind, total, gainedToday);
    if (points !== e.points) wrong.push(`event ${e.id} (${e.kind}) of member ${e.user_id}: ${e.points}, the rules say ${points}`);
    total += e.points;
    if (voteKinds.includes(e.kind)) gainedToday += e.points;
  }
  return wrong.slice(0, 10);
}

t.test('replies per thread add up exactly, with a long tail', async (t) => {
  const counts = replyCounts(100_000, 900_000);
  t.equal(counts.reduce((s, n) => s + n, 0), 900_000);
  const sorted = [...counts].sort((a, b) => a - b);
  t.ok(sorted[50_000] <= 5, `most threads have a few replies (median ${sorted[50_000]})`);
  t.ok(sorted[99_999] >= 1000, `a few have thousands (most ${sorted[99_999]})`);
  t.same([...replyCounts(1, 9)], [9], 'one thread takes them all');
  t.same([...replyCounts(3, 0)], [0, 0, 0]);
});

t.test('2,000 posts: sizes, counters and derived columns agree with the rows', async (t) => {
  const { app, db, make, signIn } = await testApp(t);
  const progress: SeedProgress[] = [];
  const result = await seedLarge(db, { posts: 2000, onProgress: (p) => progress.push(p) });
  const n = (query: ReturnType<typeof sql>) => count(db, query);

  t.same(result.unhandledTriggers, [], 'the seed stands in for every trigger on its tables (handledTriggers in server/seed/large.ts)');
  t.equal(result.triggers, 'skipped', 'and so does their work in bulk');
  t.equal(await n(sql`select count(*) from posts`), 2000, 'exactly N posts');
  t.equal(await n(sql`select count(*) from threads`), 200);
  t.equal(await n(sql`select count(*) from users`), 100);
  t.equal(await n(sql`select count(*) from categories`), 40);
  t.equal(await n(sql`select count(*) from sessions`), 100, 'a session per member, up to 1,000');
  const likes = await n(sql`select count(*) from post_likes`);
  t.ok(likes > 500 && likes < 2000, `about N/2 likes (${likes})`);
  const reads = await n(sql`select count(*) from thread_reads`);
  t.ok(reads > 250 && reads < 800, `about N/5 read marks (${reads})`);

  await checkConsistent(t, db);

  const questions = await n(sql`select count(*) from threads where kind = 'question'`);
  t.ok(questions >= 20 && questions <= 60, `about a fifth of the threads are questions (${questions} of 200)`);
  const votes = await n(sql`select count(*) from post_votes`);
  const questionPosts = await n(sql`select count(*) from posts p join threads t on t.id = p.thread_id where t.kind = 'question'`);
  t.ok(votes > questionPosts * 0.3 && votes < questionPosts * 3, `about a vote per post of a question (${votes} on ${questionPosts})`);
  t.ok(await n(sql`select count(*) from post_votes where value = -1`), 'some votes are down');
  const answered = await n(sql`select count(*) from threads where kind = 'question' and reply_count > 0`);
  const accepted = await n(sql`select count(*) from threads where accepted_post_id is not null`);
  t.ok(accepted > answered * 0.25 && accepted < answered * 0.85, `about half the answered questions have an accepted answer (${accepted} of ${answered})`);
  t.ok(await n(sql`select count(*) from users where reputation > 1`), 'members have reputation');

  const sample = await db.selectFrom('posts').select(['raw', 'cooked']).orderBy('id').limit(50).execute();
  for (const p of sample) t.equal(p.cooked, cook(p.raw), 'cooked is what the app makes of the text');
  t.ok(sample.some((p) => p.raw.includes('\n\n')), 'longer posts have paragraphs');

  const members = await db.selectFrom('users').select(['id', 'username', 'email', 'role', 'rank', 'password_hash']).orderBy('id').execute();
  t.same(members.slice(0, 3).map((m) => [m.username, m.email, m.role]), [
    ['member1', 'member1@example.test', 'admin'],
    ['member2', 'member2@example.test', 'staff'],
    ['member3', 'member3@example.test', 'staff'],
  ]);
  t.equal(new Set(members.map((m) => m.password_hash)).size, 1, 'one password hash for everyone');
  t.ok(await verifyPassword(members[0].password_hash, BENCH_PASSWORD), `the password is "${BENCH_PASSWORD}"`);
  t.same((await sql<{ rank: number }>`select distinct rank from users order by rank`.execute(db)).rows.map((r) => r.rank), [0, 1, 2, 3, 4]);

  // A member signs in through the real form with the known password; their session row and a
  // seeded one are alike, but for the time they end.
  const member12 = members[11];
  await signIn({ id: member12.id, username: 'member12', email: member12.email, password: BENCH_PASSWORD, role: member12.role, rank: member12.rank });
  const sessions = await db.selectFrom('sessions').select(['id', 'data', 'user_id', 'expires_at']).where('user_id', '=', member12.id).execute();
  const seeded = sessions.find((s) => s.id === 'bench-session-12')!;
  const real = sessions.find((s) => s.id !== 'bench-session-12')!;
  type Stored = { cookie: Record<string, unknown>; userId: number };
  const shape = (s: Stored) => ({ ...s, cookie: { ...s.cookie, expires: typeof s.cookie.expires } });
  t.same(shape(seeded.data as Stored), shape(real.data as Stored), 'the seeded session is stored as a sign-in stores it');
  const days = (seeded.expires_at.getTime() - Date.now()) / 86_400_000;
  t.ok(days > 29 && days <= 30, 'and lasts 30 days');

  const thread = await db.selectFrom('threads').select(['id', 'slug']).orderBy('reply_count', 'desc').executeTakeFirstOrThrow();
  const reader = make.guest();
  reader.cookies.set(SESSION_COOKIE, benchSessionCookie(secret, 12));
  // An explicit page: the seeded read state may otherwise send member12 on to their first unread post.
  const res = await reader.get(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal(res.statusCode, 200);
  t.equal(res.page().querySelector('.nav-user')?.text.trim(), 'member12', 'bench-session-12 is member12, signed in');
  t.ok(res.page().querySelectorAll('article.post').length > 1);

  const candidates = sample[0].raw.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 6 && words.includes(w));
  t.ok(candidates.length, 'posts are made of the word list');
  // A word search can find: not one of the english stop words ("before"), which search drops.
  let word = '';
  for (const w of candidates) {
    const { rows } = await sql<{ kept: boolean }>`select numnode(plainto_tsquery('english', ${w})) > 0 as kept`.execute(db);
    if (rows[0].kept) { word = w; break; }
  }
  t.ok(word, 'the post has a word search can find');
  const found = (await make.guest().page(`/search?q=${word}`)).querySelectorAll('.search-result');
  t.ok(found.length > 0, `search finds "${word}"`);

  const steps = progress.filter((p) => p.finished).map((p) => p.step);
  t.same(steps, ['members', 'categories', 'threads', 'posts', 'likes', 'last posts', 'reputation', 'tags', 'read state', 'sessions', 'counters', 'badges', 'analyze']);

  // The badges step granted what the rules find, so a full run after it finds nothing more.
  const held = await n(sql`select count(*) from user_badges`);
  t.ok(held > 0 && result.rows.badges === held, `the seed granted ${held} badges`);
  t.ok(await n(sql`select count(distinct user_id) from user_badges where badge = 'first-post'`) > 0, 'first posts among them');
  t.same(await grantBadges(db, 'all', new Date(), app.log), { granted: 0, failed: [] }, 'and a full run grants nothing more');
  t.equal(await n(sql`select count(*) from badge_due`), 0, 'no member is left due by the seed');
  t.match(progress.find((p) => p.step === 'posts' && p.finished), { unit: 'posts', done: 2000, total: 2000 });
  t.ok(progress.every((p, i) => i === 0 || p.overall >= progress[i - 1].overall), 'the whole seed only moves forward');
  t.equal(progress.at(-1)!.overall, 1);

  // --replace empties the community, and ids start again from 1.
  t.ok(await hasThreads(db));
  await emptyCommunity(db);
  t.notOk(await hasThreads(db));
  t.equal(await n(sql`select count(*) from users`), 0);
  await seedLarge(db, { posts: 50 });
  t.equal(await n(sql`select min(id) from users`), 1);
  t.equal(await n(sql`select count(*) from posts`), 50);
});

// A table filled a moment ago has no statistics until autovacuum comes round to it, often after
// the next statement has been planned: the members' counts were then planned as loops over every
// thread and ran for many minutes at 1,000,000 posts. pg_class.reltuples is -1 for a table never
// analyzed, and the number of rows ANALYZE saw (all of them, in a seed this small) afterwards.
t.test('every step starts with the statistics of the rows the steps before it wrote', async (t) => {
  const { db } = await testApp(t);
  const tables = ['users', 'categories', 'tags', 'threads', 'posts', 'post_likes', 'thread_tags', 'thread_reads', 'sessions'];
  const unknown: string[] = [];
  await seedLarge(db, {
    posts: 1000,
    betweenSteps: async (next) => {
      for (const table of tables) {
        const rows = await count(db, sql`select count(*) from ${sql.table(table)}`);
        const { rows: known } = await sql<{ n: number }>`select reltuples::int as n from pg_class where oid = ${table}::regclass`.execute(db);
        if (rows > 0 && known[0].n !== rows) unknown.push(`before ${next ?? 'the end'}: ${table} holds ${rows} rows, the planner knows of ${known[0].n}`);
      }
    },
  });
  t.same(unknown, [], 'no step is planned on tables without statistics');
});

t.test('with every row trigger running, the same community comes out', async (t) => {
  const { db } = await testApp(t);
  const result = await seedLarge(db, { posts: 600, runTriggers: true });
  t.equal(result.triggers, 'ran');
  t.equal(await count(db, sql`select count(*) from posts`), 600);
  await checkConsistent(t, db);
});

function seedScript(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import=tsx', 'scripts/seed.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

t.test('npm run seed -- --posts: refuses a community unless --replace, and seeds a database by name', async (t) => {
  const database = await cloneDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hearth-seed-'));
  const named = `${new URL(database.url).pathname.slice(1)}_bench`;
  const other = `${named}_other`;
  const admin = new pg.Client({ connectionString: process.env.HEARTH_TEST_SERVER_URL });
  await admin.connect();
  t.teardown(async () => {
    await admin.query(`drop database if exists ${named} with (force)`);
    await admin.query(`drop database if exists ${other} with (force)`);
    await admin.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = { DATABASE_URL: database.url, DATA_DIR: dataDir };
  const rows = async (url: string, query: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(query)).rows;
    } finally {
      await c.end();
    }
  };

  const first = await seedScript(['--posts', '300'], env);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^posts +300 posts/m, 'one line per step when the output is not a terminal');
  t.match(first.stdout, /Done in [\d.]+ s/);

  const again = await seedScript(['--posts', '300'], env);
  t.equal(again.code, 1);
  t.match(again.stderr, /already has threads; add --replace/);

  const replaced = await seedScript(['--posts', '200', '--replace'], env);
  t.equal(replaced.code, 0, replaced.stderr);
  t.same(await rows(database.url, 'select count(*)::int as n, min(id)::int as first from posts'), [{ n: 200, first: 1 }]);

  const byName = await seedScript(['--posts', '100', '--database', named], env);
  t.equal(byName.code, 0, byName.stderr);
  t.same(await rows(withDatabase(database.url, named), 'select count(*)::int as n from posts'), [{ n: 100 }], 'a new database, migrated and seeded');
  t.same(await rows(database.url, 'select count(*)::int as n from posts'), [{ n: 200 }], 'the configured one untouched');

  await admin.query(`create database ${other}`);
  await rows(withDatabase(database.url, other), 'create table notes (body text)');
  const unrelated = await seedScript(['--posts', '100', '--database', other], env);
  t.equal(unrelated.code, 1);
  t.match(unrelated.stderr, /not Hearth's/);
  t.same(
    await rows(withDatabase(database.url, other), "select table_name from information_schema.tables where table_schema = 'public'"),
    [{ table_name: 'notes' }],
    'an unrelated database is left as it was',
  );

  const none = await seedScript([], env);
  t.equal(none.code, 1);
  t.match(none.stderr, /^usage: npm run seed -- --demo/);

  const bad = await seedScript(['--posts', 'many'], env);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--posts: must be a whole number/);
});

// npm run bench [-- --duration S --connections N --rate N --database NAME --only a,b --compare --profile]
//
// Starts Hearth as a separate process on a seeded database, loads it with autocannon from this
// process (127.0.0.1 only, a bounded time per target), and reports requests/s, latency, errors,
// the ratio to a bare route of the same size served by the same process (measured again just
// before and after each target), and the server's RSS.
// --compare runs the read targets on a 10,000-post and a 1,000,000-post database and prints
// how much slower each page is on the large one. --profile has the app write a V8 CPU profile
// of the whole run (data/bench/profiles/, for Chrome DevTools or speedscope), to see where a
// target's time goes. Each target also reports the CPU it cost per request, in the app's process
// and in the database's (a local PostgreSQL: its processes are read from /proc), which holds
// better than requests/s while other work shares the cores; --rate N sends at most N requests a
// second, to compare that cost at the same load.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { readConfig, type Config } from '../server/config.ts';
import { createDb, type Db } from '../server/db/index.ts';
import { withDatabase } from '../server/db/embedded.ts';
import { openDatabase } from '../server/db/open.ts';
import { reputationDifferences } from '../server/reputation/check.ts';
import { benchSessionCookie } from '../server/seed/large.ts';
import { runScript } from './run.ts';

const root = path.resolve(import.meta.dirname, '..');

interface Target {
  name: string;
  kind: 'read' | 'write' | 'bare';
  connections?: number;
  /** Builds the request for each call: path, method, headers, body. */
  request: () => { path: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string };
}

interface Row {
  target: string;
  rps: number;
  p50: number;
  /** Mean latency, ms: finer than the percentiles, which autocannon keeps in whole milliseconds. */
  mean: number;
  p975: number;
  p99: number;
  errors: number;
  non2xx: number;
  ratio: number | null;
  /** The bare route's req/s around this target: the mean of its runs just before and just after (the ratio's yardstick). */
  bare: number | null;
  rssMb: number;
  connections: number;
  /** CPU per request, ms: the app's process, and the database's processes (null: not readable here). */
  appCpu: number | null;
  dbCpu: number | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The node arguments `npm start` runs the app with (package.json), so the bench runs it the same way. */
function startArgs(): string[] {
  const start: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const [command, ...args] = start.split(/\s+/);
  if (command !== 'node') throw new Error(`the start script does not run node: ${start}`);
  return args;
}

/** The app as users run it, in its own process, with the bare route on. */
async function startApp(config: Config, databaseUrl: string, profileDir?: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  // The app writes its profile when it exits, which it does on the SIGINT the suite ends with.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...startArgs()], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      HEARTH_BENCH: '1',
      SESSION_SECRET: config.sessionSecret,
      DATA_DIR: config.dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 600 && !/ready on/.test(out); i++) {
    if (child.exitCode !== null) throw new Error(`the app stopped: ${out.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/ready on/.test(out)) throw new Error(`the app did not start: ${out.trim()}`);
  return { child, base: `http://127.0.0.1:${port}` };
}

/** The largest resident set of a process seen while `run` goes on, in MB. */
async function withRss<T>(pid: number, run: () => Promise<T>): Promise<{ value: T; rssMb: number }> {
  let max = 0;
  const sample = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      max = Math.max(max, kb / 1024);
    } catch (err) {
      // Not Linux, or the process is gone: no figure.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
  const timer = setInterval(sample, 200);
  try {
    const value = await run();
    sample();
    return { value, rssMb: Math.round(max) };
  } finally {
    clearInterval(timer);
  }
}

/** A process's CPU time so far (user and system), in ms, from /proc; null where there is none. */
function cpuMs(pid: number): number | null {
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return null;
  }
}

/** Linux's clock ticks per second (sysconf CLK_TCK), which /proc counts CPU time in: 100 on every platform Node runs on here. */
const CLOCK_TICKS = 100;

/** The CPU time so far of a database server and of each process it started (backends, writers, workers), in ms by process. */
function databaseCpuMs(postmaster: number): Map<number, number> | null {
  const own = cpuMs(postmaster);
  if (own === null) return null;
  const byPid = new Map([[postmaster, own]]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) byPid.set(Number(entry), cpuMs(Number(entry)) ?? 0);
    } catch (err) {
      // A process that ended between the listing and the read.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return byPid;
}

/**
 * The database's CPU between two readings: each process's growth, all of it for a process started
 * in between. A process that ended in between (a backend whose connection closed) is not counted.
 */
function databaseCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * The database server's main process, when it runs on this machine: the parent of the backend
 * serving this connection. Null for a server elsewhere (its processes are not here to read).
 */
async function postmasterPid(db: Db): Promise<number | null> {
  const { rows } = await sql<{ pid: number; local: boolean }>`
    select pg_backend_pid() as pid, coalesce(inet_server_addr() <<= '127.0.0.0/8'::inet or inet_server_addr() = '::1'::inet, true) as local`.execute(db);
  const backend = rows[0];
  if (!backend?.local) return null;
  try {
    const stat = readFileSync(`/proc/${backend.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return null;
  }
}

/** GETs a path and answers the body and the Set-Cookie headers. */
function get(base: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; cookies: string[]; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(base + p, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), cookies: [res.headers['set-cookie'] ?? []].flat(), headers: res.headers }),
        );
      })
      .on('error', reject);
  });
}

/**
 * The posting target measures how many replies the app can write, not the community's policy:
 * 50 members under the default limits (5 s between posts) would be refused after their first.
 * The bench database keeps these settings afterwards; it is a bench database.
 */
async function liftPostingLimits(db: Db) {
  const open = { post_interval_seconds: [0, 0, 0, 0, 0], posts_per_hour: [1000, 1000, 1000, 1000, 1000], approval_posts: 0 };
  for (const [key, value] of Object.entries(open)) {
    await db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  }
}

async function fixtures(db: Db) {
  const category = await db
    .selectFrom('categories')
    .select('slug')
    .where('read_role', 'is', null)
    .where('read_rank', '=', 0)
    .orderBy('thread_count', 'desc')
    .limit(1)
    .executeTakeFirst();
  // A thread whose first page holds 20 posts, as most thread pages do.
  const thread = await db
    .selectFrom('threads')
    .select(['id', 'slug'])
    .where('reply_count', '>=', 19)
    .where('reply_count', '<=', 30)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  // A question whose first page holds 20 posts, with an accepted answer, as a solved question's page does.
  const question = await db
    .selectFrom('threads')
    .select(['id', 'slug'])
    .where('kind', '=', 'question')
    .where('reply_count', '>=', 19)
    .where('reply_count', '<=', 30)
    .where('accepted_post_id', 'is not', null)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const member = await db.selectFrom('users').select('username').orderBy('id').offset(10).limit(1).executeTakeFirst();
  // Writes go to many threads and posts so that they do not queue on one row's lock; liked
  // posts are by members beyond the ones whose sessions send the likes.
  const threads = await db.selectFrom('threads').select(['id']).where('deleted_at', 'is', null).orderBy(sql`random()`).limit(2000).execute();
  const posts = await db
    .selectFrom('posts')
    .select('id')
    .where('user_id', '>', 1000)
    .where('deleted_at', 'is', null)
    .orderBy(sql`random()`)
    .limit(5000)
    .execute();
  // Votes go to questions and answers by members beyond the voting ones, as likes do.
  const votable = await db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .select('p.id')
    .where('t.kind', '=', 'question')
    .where('t.deleted_at', 'is', null)
    .where('p.user_id', '>', 1000)
    .where('p.deleted_at', 'is', null)
    .orderBy(sql`random()`)
    .limit(5000)
    .execute();
  // A word found in many posts, and one found in few, from a sample of titles.
  const sample = await db.selectFrom('threads').select('title').orderBy(sql`random()`).limit(50).execute();
  const words = [...new Set(sample.flatMap((t) => t.title.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length > 3))].slice(0, 40);
  const counted: { word: string; n: number }[] = [];
  for (const word of words) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from (select 1 from posts where search_vector @@ plainto_tsquery('english', ${word}) limit 5000) s`.execute(db);
    counted.push({ word, n: rows[0].n });
  }
  counted.sort((a, b) => a.n - b.n);
  const rare = counted.find((c) => c.n > 0) ?? counted[0];
  const common = counted.at(-1);
  if (!category || !thread || !member || !common || !rare) throw new Error('this database is not seeded: run npm run seed -- --posts 10000 first');
  // The signed-in members (memberN, N = 10…409) who may downvote: rank 2 and up, all of them at
  // 1,000,000 posts, fewer on a small seed.
  const downvoters = await db
    .selectFrom('users')
    .select('username')
    .where('username', 'in', Array.from({ length: 400 }, (_, i) => `member${i + 10}`))
    .where((eb) => eb.or([eb('rank', '>=', 2), eb('role', '<>', 'member')]))
    .execute();
  if (!question || !votable.length) throw new Error('this database has no questions: seed it again with npm run seed -- --posts N --replace');
  return {
    category: category.slug, thread, question, member: member.username, threads, posts, votable,
    downvoters: new Set(downvoters.map((d) => Number(d.username.slice('member'.length)))), common: common.word, rare: rare.word,
  };
}

/**
 * Signed-in members: a session cookie each, and for writes the CSRF cookie and token. Members
 * (the role), not staff: the seed makes member1–9 admin, staff and moderators, whose pages show
 * more and are rendered for each of them; the targets measure what members do.
 */
async function sessions(base: string, secret: string, count: number) {
  const list: { n: number; cookie: string; token: string }[] = [];
  for (let n = 10; n < 10 + count; n++) {
    const session = `hearth_session=${benchSessionCookie(secret, n)}`;
    const res = await get(base, '/notifications', { cookie: session });
    const token = /name="csrf-token" content="([^"]+)"/.exec(res.body.toString())?.[1];
    const csrf = res.cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('hearth_csrf='));
    if (res.status !== 200 || !token || !csrf) throw new Error(`bench session ${n} does not sign in (status ${res.status}); was the database seeded with this SESSION_SECRET?`);
    list.push({ n, cookie: `${session}; ${csrf}`, token });
  }
  return list;
}

async function fire(base: string, target: Target, duration: number, connections: number, rate?: number) {
  const result = await autocannon({
    url: base,
    connections,
    duration,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const r = target.request();
          return { ...req, path: r.path, method: r.method ?? 'GET', headers: { ...req.headers, ...r.headers }, body: r.body };
        },
      },
    ],
  });
  return result;
}

async function transferSize(base: string, threadPath: string) {
  const page = await get(base, threadPath, { 'accept-encoding': 'br, gzip' });
  // The links are read from the plain page; the sizes counted are the compressed ones.
  const html = (await get(base, threadPath)).body.toString();
  let total = page.body.length;
  const assets = [...html.matchAll(/(?:src|href)="(\/static\/[^"]+\.(?:js|css)[^"]*)"/g)].map((m) => m[1]);
  for (const asset of assets) total += (await get(base, asset, { 'accept-encoding': 'br, gzip' })).body.length;
  return { bytes: total, htmlEncoding: page.headers['content-encoding'] ?? 'none', assets: assets.length };
}

async function suite(
  config: Config,
  serverUrl: string,
  database: string,
  opts: { duration: number; connections: number; rate?: number; only?: string[]; readsOnly?: boolean; profileDir?: string },
) {
  const url = withDatabase(serverUrl, database);
  const db = createDb({ url, max: 2 });
  let fx: Awaited<ReturnType<typeof fixtures>>;
  let postmaster: number | null = null;
  let count: number;
  try {
    fx = await fixtures(db);
    await liftPostingLimits(db);
    postmaster = await postmasterPid(db);
    ({ count } = await db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow());
  } finally {
    await db.destroy();
  }

  const { child, base } = await startApp(config, url, opts.profileDir);
  let result;
  try {
    // As many members as a busy hour has posting: a person writes a reply every few seconds at
    // most (the posting limits say 5 s), so the writes are spread as people spread them, and no
    // one member's row is written by many requests at once (their counts, migrations/0023).
    const members = await sessions(base, config.sessionSecret, 400);
    let turn = 0;
    const nextMember = () => members[turn++ % members.length];
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    const threadPath = `/t/${fx.thread.id}/${fx.thread.slug}?page=1`;
    const questionPath = `/t/${fx.question.id}/${fx.question.slug}?page=1`;
    // Each member's vote on a post goes round up, down, none (up, none for those below rank 2):
    // every request changes a vote and the reputation it moves, rather than repeat one that
    // changes nothing, and none is refused.
    const voteTurns = new Map<string, number>();
    const voteValues = (n: number) => (fx.downvoters.has(n) ? ['1', '-1', '0'] : ['1', '0']);
    // All six boards, in turn: each is read once a minute and then served from memory.
    const boards = ['reputation', 'accepted'].flatMap((by) => ['week', 'month', 'all'].map((period) => `/leaderboard?by=${by}&period=${period}`));
    let board = 0;
    const pageBytes = (await get(base, threadPath)).body.length;
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' };

    const targets: Target[] = [
      { name: 'bare route', kind: 'bare', request: () => ({ path: `/__bench/bare/${pageBytes}` }) },
      { name: 'home', kind: 'read', request: () => ({ path: '/' }) },
      { name: 'category', kind: 'read', request: () => ({ path: `/c/${fx.category}` }) },
      { name: 'thread (signed out)', kind: 'read', request: () => ({ path: threadPath }) },
      { name: 'thread (signed in)', kind: 'read', request: () => ({ path: threadPath, headers: { cookie: nextMember().cookie } }) },
      { name: `search common (${fx.common})`, kind: 'read', connections: 1, request: () => ({ path: `/search?q=${fx.common}` }) },
      { name: `search rare (${fx.rare})`, kind: 'read', connections: 1, request: () => ({ path: `/search?q=${fx.rare}` }) },
      { name: 'question (signed out)', kind: 'read', request: () => ({ path: questionPath }) },
      { name: 'question (signed in)', kind: 'read', request: () => ({ path: questionPath, headers: { cookie: nextMember().cookie } }) },
      { name: 'profile', kind: 'read', request: () => ({ path: `/u/${fx.member}` }) },
      { name: 'leaderboard', kind: 'read', request: () => ({ path: boards[board++ % boards.length] }) },
      {
        name: 'post a reply',
        kind: 'write',
        request: () => {
          const m = nextMember();
          const body = new URLSearchParams({ _csrf: m.token, body: `Benchmark reply ${Math.random().toString(36).slice(2)}` }).toString();
          return { path: `/t/${pick(fx.threads).id}/replies`, method: 'POST', headers: { ...form, cookie: m.cookie }, body };
        },
      },
      {
        name: 'toggle a like',
        kind: 'write',
        request: () => {
          const m = nextMember();
          return { path: `/p/${pick(fx.posts).id}/like`, method: 'POST', headers: { ...form, cookie: m.cookie }, body: `_csrf=${encodeURIComponent(m.token)}` };
        },
      },
      {
        name: 'vote',
        kind: 'write',
        request: () => {
          const m = nextMember();
          const post = pick(fx.votable).id;
          const key = `${m.n}|${post}`;
          const turn = voteTurns.get(key) ?? 0;
          voteTurns.set(key, turn + 1);
          const values = voteValues(m.n);
          const body = new URLSearchParams({ _csrf: m.token, value: values[turn % values.length] }).toString();
          return { path: `/p/${post}/vote`, method: 'POST', headers: { ...form, cookie: m.cookie }, body };
        },
      },
    ].filter((t) => (!opts.only || t.kind === 'bare' || opts.only.some((o) => t.name.startsWith(o))) && (!opts.readsOnly || t.kind !== 'write')) as Target[];

    const rows: Row[] = [];
    const bareTarget = targets.find((t) => t.kind === 'bare')!;
    // The machine's speed moves from one minute to the next when others share its cores (the bare
    // route has measured from 3,000 to 24,000 req/s within an hour here): each page is compared
    // with the bare route measured just before and just after it (for half as long), not with one
    // measured minutes earlier.
    const measureBare = async () => (await fire(base, bareTarget, Math.max(2, opts.duration / 2), opts.connections)).requests.average;
    let bareBefore = 0;
    for (const target of targets) {
      const connections = target.connections ?? opts.connections;
      await fire(base, target, 1, connections); // warm caches and the JIT, not counted
      const rate = target.kind === 'bare' ? undefined : opts.rate;
      const cpuBefore = { app: cpuMs(child.pid!), db: postmaster === null ? null : databaseCpuMs(postmaster) };
      const { value: r, rssMb } = await withRss(child.pid!, () => fire(base, target, opts.duration, connections, rate));
      const cpuAfter = { app: cpuMs(child.pid!), db: postmaster === null ? null : databaseCpuMs(postmaster) };
      const perRequest = (spent: number | null) => (spent === null || !r.requests.total ? null : spent / r.requests.total);
      const bareAfter = target.kind === 'bare' ? r.requests.average : await measureBare();
      const bare = target.kind === 'bare' ? 0 : (bareBefore + bareAfter) / 2;
      bareBefore = bareAfter;
      rows.push({
        target: target.name,
        rps: Math.round(r.requests.average),
        p50: r.latency.p50,
        mean: r.latency.mean,
        p975: r.latency.p97_5,
        p99: r.latency.p99,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        ratio: target.kind === 'bare' || !bare ? null : r.requests.average / bare,
        bare: target.kind === 'bare' ? null : Math.round(bare),
        rssMb,
        connections,
        appCpu: perRequest(cpuBefore.app === null || cpuAfter.app === null ? null : cpuAfter.app - cpuBefore.app),
        dbCpu: perRequest(databaseCpuBetween(cpuBefore.db, cpuAfter.db)),
      });
      const mem = JSON.parse((await get(base, '/__bench/memory')).body.toString()) as NodeJS.MemoryUsage;
      const mb = (n: number) => Math.round(n / 2 ** 20);
      process.stdout.write(
        `  ${target.name}: ${Math.round(r.requests.average)} req/s (after: RSS ${mb(mem.rss)} MB, heap ${mb(mem.heapUsed)} of ${mb(mem.heapTotal)} MB, external ${mb(mem.external)} MB)\n`,
      );
    }
    const transfer = await transferSize(base, threadPath);
    result = { database, posts: count, pageBytes, rows, transfer };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
  return { ...result, reputationCheck: await timedReputationCheck(url) };
}

/** What npm run reputation:check does, timed, on the database the targets just wrote to (votes and accepts included). */
async function timedReputationCheck(url: string) {
  const db = createDb({ url, max: 1 });
  try {
    const started = performance.now();
    const { members, differences } = await reputationDifferences(db);
    return { seconds: (performance.now() - started) / 1000, members, differences: differences.length };
  } finally {
    await db.destroy();
  }
}

function table(rows: Row[]) {
  const head = ['target', 'conns', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'non-2xx', 'bare around', 'vs bare', 'RSS MB', 'app CPU ms', 'db CPU ms'];
  const ms = (n: number | null) => (n === null ? '—' : n.toFixed(2));
  const body = rows.map((r) => [
    r.target,
    String(r.connections),
    String(r.rps),
    String(r.p50),
    String(r.p975),
    String(r.p99),
    String(r.errors),
    String(r.non2xx),
    r.bare === null ? '—' : String(r.bare),
    r.ratio === null ? '—' : `${Math.round(r.ratio * 100)}%`,
    String(r.rssMb),
    ms(r.appCpu),
    ms(r.dbCpu),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n');
}

function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

await runScript(async () => {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      rate: { type: 'string' },
      database: { type: 'string' },
      only: { type: 'string' },
      compare: { type: 'boolean' },
      profile: { type: 'boolean' },
    },
    strict: true,
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new Error(`--rate is requests a second, a number above 0: ${values.rate}`);
  const only = values.only?.split(',').map((s) => s.trim());
  const config = readConfig();
  const database = await openDatabase(config);
  const serverUrl = withDatabase(database.url, 'postgres');
  const started = new Date();
  mkdirSync(path.join(config.dataDir, 'bench'), { recursive: true });
  const file = path.join(config.dataDir, 'bench', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  try {
    if (values.compare) {
      const small = await suite(config, serverUrl, 'hearth_bench_10k', { duration, connections, rate, only, readsOnly: true });
      const large = await suite(config, serverUrl, 'hearth_bench_1m', { duration, connections, rate, only, readsOnly: true });
      console.log(`\n${small.posts.toLocaleString('en')} posts:\n${table(small.rows)}`);
      console.log(`\n${large.posts.toLocaleString('en')} posts:\n${table(large.rows)}`);
      console.log('\np50 on the large database ÷ p50 on the small one (and the same for the mean, which is not rounded to whole ms):');
      // The same targets run in the same order on both (the search words differ, so not by name).
      for (const [i, row] of large.rows.entries()) {
        const base = small.rows[i];
        if (!base || base.p50 <= 0) continue;
        console.log(
          `  ${row.target.padEnd(32)} ${(row.p50 / base.p50).toFixed(2)}x  (${base.p50} → ${row.p50} ms)   mean ${(row.mean / base.mean).toFixed(2)}x  (${base.mean.toFixed(2)} → ${row.mean.toFixed(2)} ms)`,
        );
      }
      writeFileSync(file, JSON.stringify({ at: started, machine: machine(), duration, connections, compare: [small, large] }, null, 2));
    } else {
      const name = values.database ?? new URL(database.url).pathname.slice(1);
      const profileDir = values.profile ? path.join(config.dataDir, 'bench', 'profiles') : undefined;
      const result = await suite(config, serverUrl, name, { duration, connections, rate, only, profileDir });
      if (profileDir) console.log(`The app's CPU profile is in ${profileDir}.`);
      console.log(`\n${result.posts.toLocaleString('en')} posts in ${name}; thread page ${result.pageBytes} bytes; ${machine()}`);
      console.log(table(result.rows));
      const check = result.reputationCheck;
      console.log(
        `\nReputation check (npm run reputation:check, after the targets' votes): ${check.seconds.toFixed(1)} s for ${check.members.toLocaleString('en')} members, ${check.differences} differing`,
      );
      console.log(
        `Thread page with its CSS and JS, compressed (${result.transfer.htmlEncoding}): ${(result.transfer.bytes / 1024).toFixed(1)} KB in ${result.transfer.assets + 1} files`,
      );
      writeFileSync(file, JSON.stringify({ at: started, machine: machine(), duration, connections, rate, ...result }, null, 2));
    }
    console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
  } finally {
    await database.close();
  }
});

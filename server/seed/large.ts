// A large synthetic community for benchmarks: `npm run seed -- --posts N`.
//
// From N posts: about N/20 members, 40 categories, N/10 threads whose reply counts are
// long-tailed (most threads have a few replies, a few have thousands), about N/2 likes,
// 300 tags, read state for about N/5 member/thread pairs, and 1,000 signed-in sessions.
// A fifth of the threads are questions: their posts get votes (about one per post, long-tailed,
// a few down from members of rank 2 and up), about half of those with answers have one accepted,
// and the reputation events those votes and accepts give are in the ledger, with every member's
// total equal to theirs (1 plus their sum, as npm run reputation:check reckons).
// Text is drawn from server/seed/words.ts inside PostgreSQL, so search has real words to
// index. Everything is written by set-based INSERT ... SELECT in batches (the progress bar
// moves with them), two connections at once for the big tables.
//
// What a benchmark can rely on:
// - Every member is `memberN` (N = 1…members, email memberN@example.test) with the password
//   `bench password 1` (BENCH_PASSWORD). member1 is an admin, member2–3 staff, member4–9
//   moderators; the others are members with ranks 0–4 (lower numbers post more and rank higher).
// - Sessions `bench-session-N` (N = 1…min(1000, members)) are signed in as memberN for 30 days,
//   stored as @fastify/session stores a sign-in over http. benchSessionCookie(secret, N) gives
//   the value of the `hearth_session` cookie that opens one.
//
// Ids are chosen here rather than by the identity sequences (which are moved past them at the
// end), so that rows can refer to each other by arithmetic: member i is id memberBase + i, and a
// thread's posts are numbered 1…k with consecutive ids.
import { sign } from '@fastify/cookie';
import { sql, type Kysely } from 'kysely';
import { hashPassword, productionCost } from '../accounts/passwords.ts';
import { planEachCall, type Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { categorySeeds, tagNames } from './community.ts';
import { wordGroups, words } from './words.ts';
import { DAILY_VOTE_CAP, dayStart, REPUTATION_FLOOR, reputationPoints } from '../reputation/rules.ts';
import { towardsCap } from '../reputation/ledger.ts';
import { badges } from '../badges/definitions.ts';
import { grantBadge } from '../badges/grant.ts';

export const BENCH_PASSWORD = 'bench password 1';
export const BENCH_SESSION_PREFIX = 'bench-session-';

/** The value of the session cookie (`hearth_session`) for bench-session-<n>, signed as @fastify/cookie signs. */
export function benchSessionCookie(secret: string, n: number): string {
  return sign(`${BENCH_SESSION_PREFIX}${n}`, secret);
}

export interface LargeSizes {
  posts: number;
  threads: number;
  members: number;
  categories: number;
  tags: number;
  sessions: number;
}

/** How big a community N posts make. */
export function largeSizes(posts: number): LargeSizes {
  if (!Number.isInteger(posts) || posts < 1) throw new RangeError('posts must be a whole number of at least 1');
  const threads = Math.max(1, Math.round(posts / 10));
  // At least a few members, so that a post can have likes from someone other than its author.
  const members = Math.max(10, Math.round(posts / 20));
  return {
    posts,
    threads,
    members,
    categories: Math.min(40, Math.ceil(threads / 5)),
    tags: Math.min(300, Math.ceil(threads / 2)),
    sessions: Math.min(1000, members),
  };
}

export interface SeedProgress {
  step: string;
  /** What is counted: posts, likes, … */
  unit: string;
  done: number;
  total: number;
  /** The step is over; `done` may then differ from the estimated total (likes, reads). */
  finished: boolean;
  /** Share of the whole seed done, 0–1, each step weighted by its usual cost. */
  overall: number;
}

export interface LargeSeedOptions {
  posts: number;
  onProgress?: (p: SeedProgress) => void;
  /** The seed's "now": everything happens in the two years before it. */
  now?: Date;
  /** Lets every row trigger run even where the seed could do their work in bulk (slower). */
  runTriggers?: boolean;
  /** Awaited before each step starts, and once after the last (step null): a look at the database between steps. */
  betweenSteps?: (next: StepName | null) => Promise<void>;
}

export interface LargeSeedResult {
  sizes: LargeSizes;
  rows: Record<string, number>;
  /** Seconds per step, in order. */
  seconds: [string, number][];
  /** Whether the row triggers ran (see maySkipTriggers). */
  triggers: 'skipped' | 'ran';
  /** Triggers on the seeded tables whose work the seed cannot do itself: they make it run them all. */
  unhandledTriggers: string[];
}

// Steps in order with the seconds each took at 1,000,000 posts, so that one number can say how
// far the whole seed is, and the tables each one fills or rewrites.
//
// A step analyzes those tables before the next one starts. A table loaded a moment ago has no
// statistics until autovacuum comes round to it, often after the next statements have been
// planned; the planner then takes `deleted_at is null and hidden_at is null and pending_at is
// null` to match almost no thread, and the members' counts (three hash joins once analyzed)
// became a loop over every thread that ran for many minutes. ANALYZE reads a sample of 30,000
// rows, a fraction of a second on the largest table. The last posts' update leaves every old
// thread row behind, which the planner would take for twice the threads until analyzed again.
const steps = [
  ['members', 'members', 0.4, ['users']],
  ['categories', 'categories', 0.02, ['categories', 'tags']],
  ['threads', 'threads', 1.5, ['threads']],
  ['posts', 'posts', 65, ['posts', 'post_votes']],
  ['likes', 'likes', 2.9, ['post_likes']],
  ['last posts', 'threads', 2.1, ['threads']],
  ['reputation', 'events', 1.5, ['reputation_events']],
  ['tags', 'thread tags', 0.4, ['thread_tags']],
  ['read state', 'reads', 0.7, ['thread_reads']],
  ['sessions', 'sessions', 0.02, ['sessions']],
  ['counters', 'rows', 1.5, []],
  ['badges', 'badges', 10, ['user_badges', 'notifications']],
  ['analyze', 'tables', 2.4, []],
] as const;
export type StepName = (typeof steps)[number][0];
const totalWeight = steps.reduce((s, [, , w]) => s + w, 0);

const DAY = 24 * 60 * 60 * 1000;
const POSTS_PER_BATCH = 20_000;
const THREADS_PER_BATCH = 10_000;
const MEMBERS_PER_BATCH = 10_000;
/** The busiest thread, whatever N: thousands of replies, not a tenth of the forum. */
const MAX_REPLIES = 10_000;
const MAX_LIKES = 2_000;
// Lomax (Pareto II) shape for replies per thread and likes per post: a long tail with a mean.
const TAIL = 1.5;
// With TAIL 1.5 this scale gives about half a like per post (most posts none).
const LIKE_SCALE = 0.4;
/** Read-state rows per post beyond each thread's author's own. */
const READS_PER_POST = 0.1;
/** Share of threads that are questions (and ideas after them). */
const QUESTION_SHARE = 0.2;
const IDEA_SHARE = 0.05;
// Votes per post of a question, Lomax with TAIL: about one a post, most posts none or one.
const VOTE_SCALE = 1.2;
/** Share of the votes by members who may downvote (rank 2 and up) that are downvotes. */
const DOWNVOTE_SHARE = 0.2;
/** Share of questions with answers that have one accepted. */
const ACCEPT_SHARE = 0.55;
const MEMBERS_PER_EVENT_BATCH = 10_000;

/**
 * Replies per thread: a Lomax draw per thread scaled to add up to exactly `replies`, so most
 * threads get a few replies and a few get thousands (capped at MAX_REPLIES).
 */
export function replyCounts(threads: number, replies: number, random: () => number = Math.random): Int32Array {
  const draws = new Float64Array(threads);
  let sum = 0;
  for (let i = 0; i < threads; i++) {
    draws[i] = Math.pow(1 - random(), -1 / TAIL) - 1;
    sum += draws[i];
  }
  // Room for every reply even when the draws pile up on a few threads.
  const cap = Math.max(MAX_REPLIES, Math.ceil(replies / threads) * 4);
  const counts = new Int32Array(threads);
  let given = 0;
  if (sum > 0) {
    for (let i = 0; i < threads; i++) {
      counts[i] = Math.min(cap, Math.floor((draws[i] * replies) / sum));
      given += counts[i];
    }
  }
  // What rounding and the cap left over, one at a time to threads that have room.
  while (given < replies) {
    const i = Math.floor(random() * threads);
    if (counts[i] < cap) {
      counts[i]++;
      given++;
    }
  }
  return counts;
}

type Conn = Kysely<Database>;

/** Splits consecutive threads into batches of about `size` posts each. */
function postBatches(replies: Int32Array, size: number) {
  const batches: { from: number; to: number; firstPost: number; posts: number }[] = [];
  let from = 1;
  let firstPost = 1;
  let posts = 0;
  for (let i = 1; i <= replies.length; i++) {
    posts += replies[i - 1] + 1;
    if (posts >= size || i === replies.length) {
      batches.push({ from, to: i, firstPost, posts });
      firstPost += posts;
      from = i + 1;
      posts = 0;
    }
  }
  return batches;
}

function ranges(count: number, size: number) {
  const out: { from: number; to: number }[] = [];
  for (let from = 1; from <= count; from += size) out.push({ from, to: Math.min(count, from + size - 1) });
  return out;
}

/**
 * Each connection takes the next batch when it is free. Batch statements end with planEachCall:
 * the pool names statements by their text (server/db/index.ts), and after five calls PostgreSQL
 * may keep a generic plan that knows none of a batch's bounds (it took a posts batch of 2,000
 * threads for 500, and a likes batch of 6,000 liked posts for 756).
 *
 * After a failure the others finish the batch in hand and take no more, so that no statement is
 * left running on a connection that goes back to the pool.
 */
async function inParallel<T>(conns: Conn[], batches: T[], run: (c: Conn, batch: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const workers = await Promise.allSettled(
    conns.map(async (c) => {
      while (!failed && next < batches.length) {
        try {
          await run(c, batches[next++]);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }),
  );
  const failure = workers.find((w) => w.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Holds `n` connections of the pool for the seed, each with the seed's session settings;
 * they go back to the pool with those settings reset.
 */
async function holdConnections(db: Db, n: number) {
  const held: Conn[] = [];
  const changed = new Set<string>();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const ready: Promise<void>[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    let onReady!: () => void;
    let onFail!: (err: unknown) => void;
    ready.push(new Promise<void>((resolve, reject) => ((onReady = resolve), (onFail = reject))));
    done.push(
      db
        .connection()
        .execute(async (c) => {
          held.push(c);
          onReady();
          await released;
          for (const setting of changed) await sql`reset ${sql.raw(setting)}`.execute(c);
        })
        .catch(onFail),
    );
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    release();
    await Promise.allSettled(done);
    throw err;
  }
  return {
    conns: held,
    /** Sets a setting on every held connection, until they go back to the pool. */
    async set(setting: string, value: string) {
      changed.add(setting);
      for (const c of held) await sql`select set_config(${setting}, ${value}, false)`.execute(c);
    },
    async release() {
      release();
      await Promise.all(done);
    },
  };
}

// Row triggers whose work the seed does itself, set-based: the search vector is computed in the
// insert with the same function (migrations/0008_search.ts); titles never change here; the page
// announcements (migrations/0015_page_notify.ts) become one 'all' at the end; members' post and
// thread counts (migrations/0023_member_counts.ts) and tags' thread counts (0026_public_counts.ts:
// the seed's categories are all open to everyone) are counted once, in the counters step, and no
// category's access changes here.
const handledTriggers = new Set([
  'posts_search_vector',
  'threads_search_title',
  'posts_member_counts_insert',
  'posts_member_counts_update',
  'posts_member_counts_delete',
  'threads_member_counts_insert',
  'threads_member_counts_update',
  'threads_member_counts_delete',
  'threads_tag_counts_update',
  'threads_tag_counts_delete',
  'thread_tags_counts',
  'categories_access_lock',
  'categories_access_counts',
  'posts_notify_pages',
  'threads_notify_pages',
  'threads_update_notify_pages',
  'categories_notify_pages',
  'thread_tags_notify_pages',
  // Members' announcements (migrations/0024_member_notify.ts): what each process keeps of a
  // member is read under `all` too, so the seed's one 'all' covers them.
  'sessions_notify_members',
  // Its half for updates (migrations/0036_account_security.ts), which the seed's 'all' covers too.
  'sessions_update_notify_members',
  'thread_reads_notify_members',
  'post_likes_notify_members',
  'users_notify_members',
  'users_delete_notify_members',
  'posts_visibility_notify_members',
  'posts_delete_notify_members',
  // A member's rank or name on the pages that show their posts (migrations/0031_author_notify.ts):
  // the seed's 'all' covers them too.
  'users_notify_author',
  // Members due for a look at their badges and rank (migrations/0029_recognition.ts): the badges
  // step grants everyone's at once, which is what a due run would have found.
  'posts_badge_due',
  'post_likes_badge_due',
  'post_votes_badge_due',
  // Its successor (migrations/0035_votes_due_at_the_bar.ts): a score reaching a score badge's bar.
  'posts_score_badge_due',
  'threads_badge_due',
  'users_badge_due',
  'threads_visibility_notify_members',
  'threads_delete_notify_members',
  // The posts past a score or like badge's bar (migrations/0040_posts_past_the_bar.ts): the
  // seed writes posts with their scores and likes, and lists those past it in the counters step.
  'posts_past_bar',
  // Global pins' announcement to every category page (migrations/0041_staff_threads.ts): the
  // seed pins nothing, and its one 'all' covers every page anyway.
  'threads_pins_notify_pages',
  'threads_pins_delete_notify_pages',
  // A role's change on its author's kept pages (the brand's mark, migrations/0041): the seed
  // changes no role, and its 'all' covers every page.
  'users_role_notify_author',
]);
const seededTables = [
  'users', 'sessions', 'categories', 'threads', 'posts', 'post_likes', 'post_votes', 'reputation_events', 'thread_reads', 'tags', 'thread_tags',
  'user_badges', 'posts_past_bar',
];

/**
 * Row triggers (and the foreign-key checks, which are triggers too) are skipped for the seed's
 * own connections when the role may do so (a superuser: `session_replication_role`) and every
 * trigger on the seeded tables is one whose work the seed does itself. Otherwise they run:
 * slower, as correct. Every id the seed writes points at a row it wrote before.
 */
async function maySkipTriggers(c: Conn): Promise<{ may: boolean; unhandled: string[] }> {
  const { rows } = await sql<{ name: string }>`
    select tgname as name from pg_trigger
    where not tgisinternal and tgrelid = any (${seededTables}::regclass[])
  `.execute(c);
  const unhandled = rows.map((r) => r.name).filter((name) => !handledTriggers.has(name));
  const { rows: allowed } = await sql<{ may: boolean }>`
    select current_setting('is_superuser') = 'on' or has_parameter_privilege('session_replication_role', 'SET') as may
  `.execute(c);
  return { may: allowed[0].may && unhandled.length === 0, unhandled };
}

/** A member drawn with a long tail: low numbers post (and like, and read) far more. */
const member = (base: number, count: number) => sql`(${base}::bigint + 1 + floor(${count}::int * power(random(), 2))::bigint)`;

// The vocabulary in the order words are drawn: the small words first, then the others shuffled
// once (always the same way), so that the most drawn ones mix every group of the list.
const SMALL_WORDS = wordGroups.get('small')!.length;
const vocabulary = (() => {
  const rest = words.slice(SMALL_WORDS);
  let state = 20_240_601;
  for (let i = rest.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const j = state % (i + 1);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return [...words.slice(0, SMALL_WORDS), ...rest];
})();
const W = vocabulary.length;
// Zipf-Mandelbrot over the other words: p(k) ~ 1/(k + q). The shift q keeps the head from
// taking a tenth of all text (the most drawn word is about 1% of them, the least 0.02%).
const Q = 20;
const spread = Math.log((W - SMALL_WORDS + Q + 1) / (Q + 1));

/** A word number for running text: a third are small words, the rest Zipf-Mandelbrot. */
const textWord = sql`
  case when random() < 0.35 then 1 + floor(${SMALL_WORDS}::int * power(random(), 2))::int
       else least(${W}::int, ${SMALL_WORDS - Q}::int + floor(${Q + 1}::int * exp(random() * ${spread}::float8))::int) end`;

/** A word number for a title: mostly the words that say what it is about. */
const titleWord = sql`
  case when random() < 0.15 then 1 + floor(${SMALL_WORDS}::int * power(random(), 2))::int
       else ${SMALL_WORDS + 1}::int + floor(${W - SMALL_WORDS}::int * power(random(), 1.5))::int end`;

/** The vocabulary as a relation: number, word, and the word capitalised. */
const wordTable = sql`
  select i::int as i, w, upper(left(w, 1)) || substr(w, 2) as cap
  from unnest(${vocabulary}::text[]) with ordinality as u(w, i)`;

export async function seedLarge(db: Db, opts: LargeSeedOptions): Promise<LargeSeedResult> {
  const sizes = largeSizes(opts.posts);
  const { posts: N, threads: T, members: M, categories: C, tags: G, sessions: K } = sizes;
  const now = opts.now ?? new Date();
  const rows: Record<string, number> = {};
  const seconds: [string, number][] = [];

  let weightBefore = 0;
  async function step(name: StepName, total: number, body: (advance: (n: number) => void) => Promise<number | void>) {
    const [, unit, weight, filled] = steps.find(([s]) => s === name)!;
    await opts.betweenSteps?.(name);
    const started = performance.now();
    let done = 0;
    const report = (finished: boolean) =>
      opts.onProgress?.({
        step: name,
        unit,
        done,
        total,
        finished,
        overall: (weightBefore + (finished ? weight : weight * Math.min(1, done / Math.max(1, total)))) / totalWeight,
      });
    report(false);
    const counted = await body((n) => {
      done += n;
      report(false);
    });
    await inParallel(held.conns, [...filled], async (c, table) => {
      await sql`analyze ${sql.table(table)}`.execute(c);
    });
    done = typeof counted === 'number' ? counted : Math.max(done, total);
    seconds.push([name, (performance.now() - started) / 1000]);
    report(true);
    weightBefore += weight;
    return done;
  }

  // One hash for everyone: argon2id at its production cost takes a noticeable fraction of a second.
  const passwordHash = await hashPassword(BENCH_PASSWORD, productionCost);
  const held = await holdConnections(db, 2);
  const [main] = held.conns;
  let triggers: LargeSeedResult['triggers'] = 'ran';
  let unhandledTriggers: string[] = [];
  try {
    // Nothing here is worth waiting for a disk flush per batch; a crash means seeding again.
    await held.set('synchronous_commit', 'off');
    await held.set('work_mem', '128MB');
    await held.set('maintenance_work_mem', '512MB');
    const skip = await maySkipTriggers(main);
    const bulk = skip.may && !opts.runTriggers;
    if (bulk) await held.set('session_replication_role', 'replica');
    triggers = bulk ? 'skipped' : 'ran';
    unhandledTriggers = skip.unhandled;

    const base = async (table: 'users' | 'categories' | 'tags' | 'threads' | 'posts') => {
      const { rows } = await sql<{ id: number }>`select coalesce(max(id), 0)::bigint as id from ${sql.table(table)}`.execute(main);
      return rows[0].id;
    };
    const memberBase = await base('users');
    const categoryBase = await base('categories');
    const tagBase = await base('tags');
    const threadBase = await base('threads');
    const postBase = await base('posts');
    const pickMember = member(memberBase, M);
    // Members 1…downvoters are rank 2 and up, or moderators (the members step): they may downvote.
    const downvoters = Math.max(9, Math.floor(M * 0.1));
    const start = sql`${now}::timestamptz`;

    rows.members = await step('members', M, async (advance) => {
      await inParallel(held.conns, ranges(M, MEMBERS_PER_BATCH), async (c, { from, to }) => {
        // Everyone joined in the year before the first thread; the first members hold the roles
        // and, as they post most, the higher ranks.
        await sql`
          insert into users (id, username, email, password_hash, role, rank, created_at, last_seen_at)
          overriding system value
          select ${memberBase}::bigint + g, 'member' || g, 'member' || g || '@example.test', ${passwordHash},
            case when g = 1 then 'admin' when g <= 3 then 'staff' when g <= 9 then 'moderator' else 'member' end,
            case when g <= 3 then 4 when g <= 9 then 3
                 when g <= ${M}::int * 0.002 then 4 when g <= ${M}::int * 0.02 then 3
                 when g <= ${M}::int * 0.1 then 2 when g <= ${M}::int * 0.4 then 1 else 0 end,
            ${start} - interval '730 days' - interval '365 days' * (1 - (g - 1)::float8 / ${M}::int),
            ${start} - interval '90 days' * power(random(), 2)
          from generate_series(${from}::int, ${to}::int) g
        ${planEachCall}`.execute(c);
        advance(to - from + 1);
      });
    });

    await step('categories', C + G, async () => {
      const cats = categorySeeds(C);
      await sql`
        insert into categories (id, name, slug, description, color, position, created_at)
        overriding system value
        select ${categoryBase}::bigint + i, name, slug, description, color, i - 1, ${start} - interval '1095 days'
        from unnest(${cats.map((c) => c.name)}::text[], ${cats.map((c) => c.slug)}::text[],
                    ${cats.map((c) => c.description)}::text[], ${cats.map((c) => c.color)}::text[])
             with ordinality as u(name, slug, description, color, i)
      `.execute(main);
      await sql`
        insert into tags (id, name) overriding system value
        select ${tagBase}::bigint + i, name from unnest(${tagNames(G)}::text[]) with ordinality as u(name, i)
      `.execute(main);
      rows.categories = C;
      rows.tags = G;
    });

    const replies = replyCounts(T, N - T);
    rows.threads = await step('threads', T, async (advance) => {
      await inParallel(held.conns, ranges(T, THREADS_PER_BATCH), async (c, { from, to }) => {
        // Threads start evenly over two years (ids in order of time), in categories and by members
        // drawn with a long tail. Titles lean less on the small words than bodies do.
        await sql`
          with w as materialized (${wordTable}),
          t as materialized (
            select ${from - 1}::int + r.n::int as n, r.replies, random() as kind_draw, 4 + floor(random() * 7)::int as len,
              ${categoryBase}::bigint + 1 + floor(${C}::int * power(random(), 1.5))::bigint as category_id,
              ${pickMember} as user_id
            from unnest(${Array.from(replies.subarray(from - 1, to))}::int[]) with ordinality as r(replies, n)
          ),
          titled as (
            select x.n, string_agg(case when x.k = 1 then w.cap else w.w end, ' ' order by x.k) as title
            from (select t.n, k, ${titleWord} as wi
                  from t cross join generate_series(1, t.len) k offset 0) x
            join w on w.i = x.wi
            group by x.n
          ),
          made as (
            select t.*, titled.title || case when t.kind_draw < ${QUESTION_SHARE}::float8 then '?' else '' end as title,
              case when t.kind_draw < ${QUESTION_SHARE}::float8 then 'question'
                   when t.kind_draw < ${QUESTION_SHARE + IDEA_SHARE}::float8 then 'idea' else 'discussion' end as kind,
              ${start} - interval '730 days' + interval '729 days' * ((t.n - 1 + random()) / ${T}::int) as created_at
            from t join titled using (n)
          )
          insert into threads (id, category_id, user_id, title, slug, kind, reply_count, last_post_number, view_count,
                               created_at, last_post_at, last_post_user_id)
          overriding system value
          select ${threadBase}::bigint + n, category_id, user_id, title,
            -- slugify() of server/addresses.ts, for titles of plain words
            rtrim(left(trim(both '-' from regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g')), 80), '-'),
            kind, replies, replies + 1,
            -- views: a few per post, and a long tail of threads everyone opens
            floor((replies + 1) * (2 + 10 * random()) + 20 * (power(1 - random(), -0.8) - 1))::int,
            created_at, created_at, user_id
          from made
          order by n
        ${planEachCall}`.execute(c);
        advance(to - from + 1);
      });
    });

    rows.posts = await step('posts', N, async (advance) => {
      const searchColumn = bulk ? sql`, search_vector` : sql``;
      // The same function the trigger calls (migrations/0008_search.ts), title on first posts only.
      const searchValue = bulk ? sql`, post_search_vector(p.title, b.raw)` : sql``;
      await inParallel(held.conns, postBatches(replies, POSTS_PER_BATCH), async (c, batch) => {
        await sql`
          with w as materialized (${wordTable}),
          p as materialized (
            select ${postBase + batch.firstPost - 1}::bigint + row_number() over (order by t.id, g.pn) as id,
              t.id as thread_id, g.pn,
              case when g.pn = 1 then t.user_id else ${pickMember} end as user_id,
              -- Replies come after the thread's start, in post-number order, over a span that
              -- grows with their number (never past now).
              case when g.pn = 1 then t.created_at else
                t.created_at + least(${start} - t.created_at - interval '1 minute',
                                     interval '3 hours' * t.reply_count * (0.5 + ((t.id * 2654435761) % 1000) / 1000.0))
                               * ((g.pn - 2 + 0.05 + 0.9 * random()) / t.reply_count)
              end as created_at,
              -- 10 to 120 words, most posts short
              10 + floor(111 * power(random(), 3))::int as len,
              5 + floor(random() * 9)::int as sentence,
              least(${Math.min(M - 1, MAX_LIKES)}::int, floor(${LIKE_SCALE}::float8 * (power(1 - random(), -1 / ${TAIL}::float8) - 1)))::int as likes,
              case when g.pn = 1 then t.title end as title,
              case when t.kind = 'question'
                then least(${Math.min(M - 1, MAX_LIKES)}::int, floor(${VOTE_SCALE}::float8 * (power(1 - random(), -1 / ${TAIL}::float8) - 1)))::int
                else 0 end as votes
            from threads t cross join lateral generate_series(1, t.reply_count + 1) as g(pn)
            where t.id between ${threadBase + batch.from}::bigint and ${threadBase + batch.to}::bigint
          ),
          -- The votes on questions and answers, written with their posts so that each post's score
          -- is their sum from the start (an update of the posts afterwards would rewrite a sixth
          -- of the largest table). Like likes: k consecutive members from a random distance to
          -- the author, never the author, never twice; a share of those who may downvote (rank 2
          -- and up: the lowest numbers, server/seed/large.ts's members step) vote down.
          v as (
            insert into post_votes (post_id, user_id, value, created_at)
            select x.id, x.voter,
              case when x.voter - ${memberBase}::bigint <= ${downvoters}::int and random() < ${DOWNVOTE_SHARE}::float8 then -1 else 1 end,
              x.created_at + (${start} - x.created_at) * power(random(), 4)
            from (select p.id, p.created_at,
                    ${memberBase}::bigint + 1 + ((p.user_id - ${memberBase}::bigint - 1 + o.offset_from_author + j) % ${M}::int) as voter
                  from p
                  cross join lateral (select floor(random() * (${M}::int - p.votes))::int as offset_from_author) o
                  cross join generate_series(1, p.votes) j
                  where p.votes > 0) x
            returning post_id, value
          ),
          scores as (select post_id as id, sum(value)::int as score from v group by post_id),
          b as (
            -- Sentences of 5 to 13 words, a paragraph every four sentences.
            select x.id, string_agg(
                case when x.k % x.sentence = 1 then w.cap else w.w end
                || case when x.k = x.len then '.'
                        when x.k % (x.sentence * 4) = 0 then E'.\n\n'
                        when x.k % x.sentence = 0 then '. '
                        else ' ' end,
                '' order by x.k) as raw
            from (select p.id, p.len, p.sentence, k, ${textWord} as wi from p cross join generate_series(1, p.len) k offset 0) x
            join w on w.i = x.wi
            group by x.id
          )
          insert into posts (id, thread_id, user_id, post_number, raw, cooked, created_at, like_count, score ${searchColumn})
          overriding system value
          -- What markdown-it makes of plain sentences and blank lines; the words are a-z only.
          select p.id, p.thread_id, p.user_id, p.pn, b.raw, '<p>' || replace(b.raw, E'\n\n', E'</p>\n<p>') || E'</p>\n',
            p.created_at, p.likes, coalesce(scores.score, 0) ${searchValue}
          from p join b using (id) left join scores using (id)
          order by p.id
        ${planEachCall}`.execute(c);
        advance(batch.posts);
      });
    });

    rows.likes = await step('likes', Math.round(N / 2), async (advance) => {
      let likes = 0;
      // A post with k likes gets them from k consecutive members starting at a random distance
      // from its author: never the author, never the same member twice.
      await inParallel(held.conns, ranges(N, POSTS_PER_BATCH * 2), async (c, { from, to }) => {
        const result = await sql`
          insert into post_likes (post_id, user_id, created_at)
          select p.id, ${memberBase}::bigint + 1 + ((p.user_id - ${memberBase}::bigint - 1 + p.offset_from_author + j) % ${M}::int),
            p.created_at + (${start} - p.created_at) * power(random(), 4)
          from (select id, user_id, created_at, like_count, floor(random() * (${M}::int - like_count))::int as offset_from_author
                from posts where id between ${postBase + from}::bigint and ${postBase + to}::bigint and like_count > 0 offset 0) p
          cross join generate_series(1, p.like_count) j
        ${planEachCall}`.execute(c);
        const n = Number(result.numAffectedRows ?? 0);
        likes += n;
        advance(n);
      });
      return likes;
    });

    await step('last posts', T, async (advance) => {
      await inParallel(held.conns, ranges(T, THREADS_PER_BATCH * 2), async (c, { from, to }) => {
        // The posts' range too: each batch's update leaves the old rows behind, the planner reads
        // the grown table as more threads per batch and, past some size, would hash every post
        // of the forum for each batch rather than look up the batch's last posts.
        const range = sql`between ${threadBase + from}::bigint and ${threadBase + to}::bigint`;
        // A share of the questions with answers have one accepted, mostly one of the first three
        // (a thread's posts have consecutive ids: its answer number k is the last post's id
        // less its number plus k).
        await sql`
          update threads t set last_post_at = p.created_at, last_post_user_id = p.user_id,
            accepted_post_id = case when t.kind = 'question' and t.reply_count > 0 and random() < ${ACCEPT_SHARE}::float8
              then p.id - p.post_number + 2 + floor(random() * least(t.reply_count, 3))::int end
          from posts p
          where p.thread_id = t.id and p.post_number = t.last_post_number
            and t.id ${range} and p.thread_id ${range}
        ${planEachCall}`.execute(c);
        advance(to - from + 1);
      });
    });

    rows.reputationEvents = await step('reputation', Math.round(N * QUESTION_SHARE * 0.9), async (advance) => {
      // The events the votes and accepts gave, as server/qa/queries.ts writes them one at a time,
      // drawn up once (in time order) on one connection, then written for a batch of members at a
      // time with what each actually moved under the ledger's two limits (server/reputation/rules.ts):
      //
      // - at most DAILY_VOTE_CAP a UTC day from upvotes: gains only, so the capped running sum of a
      //   member's day is least(cap, their running sum), and an event moves the step between two;
      // - never below the floor of 1: a total that is 1 plus a sum clamped at 0 after each event
      //   (T = max(0, T + x)) is the sum S less the lowest point it reached, min(0, min S) (Lindley's
      //   recursion), so an event moves x less how far that lowest point fell with it.
      //
      // Both are window functions over a member's events, so the ledger comes out as the app's own
      // writes would have made it, event for event, and the totals (the counters step) agree with it.
      const eventBase = await (async () => {
        const { rows } = await sql<{ id: number }>`select coalesce(max(id), 0)::bigint as id from reputation_events`.execute(main);
        return rows[0].id;
      })();
      await sql`drop table if exists seed_reputation`.execute(main);
      await sql`
        create temporary table seed_reputation (
          seq bigint not null, user_id bigint not null, kind text not null, worth int not null,
          post_id bigint not null, actor_id bigint not null, created_at timestamptz not null, vote_gain boolean not null
        )`.execute(main);
      try {
        await sql`
          with accepted as materialized (
            select t.user_id as asker, a.id, a.user_id, a.created_at + (${start} - a.created_at) * power(random(), 3) as at
            from threads t join posts a on a.id = t.accepted_post_id
            where t.id > ${threadBase}::bigint and t.accepted_post_id is not null
          ),
          e as (
            select p.user_id, case when v.value = -1 then 'post_downvoted' when p.post_number > 1 then 'answer_upvoted' else 'question_upvoted' end as kind,
              case when v.value = -1 then ${reputationPoints.post_downvoted}::int
                   when p.post_number > 1 then ${reputationPoints.answer_upvoted}::int else ${reputationPoints.question_upvoted}::int end as worth,
              p.id as post_id, v.user_id as actor_id, v.created_at, v.value = 1 as vote_gain
            from post_votes v join posts p on p.id = v.post_id
            where v.post_id > ${postBase}::bigint
            union all
            select v.user_id, 'downvoted_answer', ${reputationPoints.downvoted_answer}::int, p.id, v.user_id, v.created_at, false
            from post_votes v join posts p on p.id = v.post_id
            where v.post_id > ${postBase}::bigint and v.value = -1 and p.post_number > 1
            union all
            select user_id, 'answer_accepted', ${reputationPoints.answer_accepted}::int, id, asker, at, false from accepted
            union all
            -- Nobody earns from accepting their own answer (server/qa/queries.ts).
            select asker, 'accepted_an_answer', ${reputationPoints.accepted_an_answer}::int, id, asker, at, false from accepted where asker <> user_id
          )
          insert into seed_reputation
          select row_number() over (order by created_at, post_id, kind, user_id), user_id, kind, worth, post_id, actor_id, created_at, vote_gain
          from e
        `.execute(main);
        await sql`create index on seed_reputation (user_id, seq)`.execute(main);
        await sql`analyze seed_reputation`.execute(main);
        let events = 0;
        for (const { from, to } of ranges(M, MEMBERS_PER_EVENT_BATCH)) {
          const result = await sql`
            insert into reputation_events (id, user_id, kind, points, post_id, actor_id, created_at)
            select ${eventBase}::bigint + seq, user_id, kind, x - (low - lag(low, 1, 0) over w), post_id, actor_id, created_at
            from (
              select *, least(0, min(s) over w) as low
              from (
                select *, sum(x) over w as s
                from (
                  select *,
                    case when vote_gain then least(${DAILY_VOTE_CAP}::int, sum(worth) over day) - least(${DAILY_VOTE_CAP}::int, sum(worth) over day - worth)
                         else worth end as x
                  from seed_reputation
                  where user_id between ${memberBase + from}::bigint and ${memberBase + to}::bigint
                  window day as (partition by user_id, vote_gain, date_trunc('day', created_at at time zone 'UTC') order by seq)
                ) capped
                window w as (partition by user_id order by seq)
              ) summed
              window w as (partition by user_id order by seq)
            ) floored
            window w as (partition by user_id order by seq)
            order by seq
          ${planEachCall}`.execute(main);
          const n = Number(result.numAffectedRows ?? 0);
          events += n;
          advance(n);
        }
        await sql`select setval(pg_get_serial_sequence('reputation_events', 'id'), greatest(1, (select max(id) from reputation_events)))`.execute(main);
        return events;
      } finally {
        await sql`drop table if exists seed_reputation`.execute(main);
      }
    });

    rows.threadTags = await step('tags', Math.round(T * 1.15), async (advance) => {
      let tagged = 0;
      // 0 to 3 neighbouring tags per thread, the first drawn with a long tail.
      await inParallel(held.conns, ranges(T, THREADS_PER_BATCH * 5), async (c, { from, to }) => {
        const result = await sql`
          insert into thread_tags (thread_id, tag_id)
          select t.id, ${tagBase}::bigint + 1 + ((t.first + j) % ${G}::int)
          from (select id, floor(${G}::int * power(random(), 2))::int as first,
                  least(${G}::int, case when r < 0.3 then 0 when r < 0.65 then 1 when r < 0.9 then 2 else 3 end) as n
                from (select id, random() as r from threads
                      where id between ${threadBase + from}::bigint and ${threadBase + to}::bigint offset 0) x) t
          cross join generate_series(0, t.n - 1) j
        ${planEachCall}`.execute(c);
        const n = Number(result.numAffectedRows ?? 0);
        tagged += n;
        advance(n);
      });
      return tagged;
    });

    rows.reads = await step('read state', Math.round(N / 5), async (advance) => {
      let reads = 0;
      // Each thread's author, and readers in proportion to its posts: consecutive members from a
      // random distance, half of them up to the last post.
      await inParallel(held.conns, ranges(T, THREADS_PER_BATCH * 2), async (c, { from, to }) => {
        const result = await sql`
          insert into thread_reads (user_id, thread_id, last_read_post_number, updated_at)
          select ${memberBase}::bigint + 1 + ((t.user_id - ${memberBase}::bigint - 1 + case when j = 0 then 0 else t.offset_from_author + j end) % ${M}::int),
            t.id, r.upto,
            case when r.upto = t.last_post_number then t.last_post_at + (${start} - t.last_post_at) * power(random(), 3)
                 else t.created_at + (t.last_post_at - t.created_at) * random() end
          from (select x.*, floor(random() * (${M}::int - x.readers))::int as offset_from_author
                from (select id, user_id, created_at, last_post_at, last_post_number,
                        least(${M - 1}::int, floor((reply_count + 1) * ${READS_PER_POST * 2}::float8 * random() + random()))::int as readers
                      from threads where id between ${threadBase + from}::bigint and ${threadBase + to}::bigint) x
                offset 0) t
          cross join generate_series(0, t.readers) j
          cross join lateral (
            select case when j = 0 or random() < 0.5 then t.last_post_number
                        else 1 + floor(random() * t.last_post_number)::int end as upto
          ) r
        ${planEachCall}`.execute(c);
        const n = Number(result.numAffectedRows ?? 0);
        reads += n;
        advance(n);
      });
      return reads;
    });

    rows.sessions = await step('sessions', K, async () => {
      const expires = new Date(now.getTime() + 30 * DAY);
      const numbers = Array.from({ length: K }, (_, i) => i + 1);
      // Exactly what server/sessions/store.ts writes for a member signed in over http: the
      // session's JSON (its cookie as @fastify/session's Cookie.toJSON gives it) and userId.
      const data = numbers.map((n) =>
        JSON.stringify({
          cookie: {
            expires: expires.toISOString(),
            originalMaxAge: 30 * DAY,
            sameSite: 'lax',
            secure: false,
            path: '/',
            httpOnly: true,
            domain: null,
          },
          userId: memberBase + n,
        }),
      );
      await sql`
        insert into sessions (id, user_id, data, expires_at, created_at)
        select ${BENCH_SESSION_PREFIX}::text || n, ${memberBase}::bigint + n, data::jsonb, ${expires}::timestamptz, ${start}
        from unnest(${numbers}::int[], ${data}::text[]) as u(n, data)
        on conflict (id) do update set user_id = excluded.user_id, data = excluded.data,
          expires_at = excluded.expires_at, created_at = excluded.created_at
      `.execute(main);
      return K;
    });

    await step('counters', C + G, async () => {
      await sql`
        update categories c set thread_count = x.n
        from (select category_id, count(*)::int as n from threads group by category_id) x
        where c.id = x.category_id and c.id > ${categoryBase}::bigint
      `.execute(main);
      await sql`
        update tags g set thread_count = x.n
        from (select tag_id, count(*)::int as n from thread_tags group by tag_id) x
        where g.id = x.tag_id and g.id > ${tagBase}::bigint
      `.execute(main);
      // Members' public posts and threads, as the triggers would have counted them one row at a
      // time; when they did run, this finds the same numbers.
      // Their reputation too: 1 plus the sum of their events, as the ledger keeps it.
      await sql`
        update users u set post_count = coalesce(p.n, 0), thread_count = coalesce(t.n, 0),
          reputation = ${REPUTATION_FLOOR}::int + coalesce(r.points, 0)
        from users m
        left join (select p.user_id, count(*)::int as n from posts p join threads t on t.id = p.thread_id
                   where p.user_id > ${memberBase}::bigint and p.deleted_at is null and p.hidden_at is null and p.pending_at is null
                     and t.deleted_at is null and t.hidden_at is null and t.pending_at is null
                   group by p.user_id) p on p.user_id = m.id
        left join (select user_id, count(*)::int as n from threads
                   where user_id > ${memberBase}::bigint and deleted_at is null and hidden_at is null and pending_at is null
                   group by user_id) t on t.user_id = m.id
        left join (select user_id, sum(points)::int as points from reputation_events
                   where user_id > ${memberBase}::bigint group by user_id) r on r.user_id = m.id
        where u.id = m.id and m.id > ${memberBase}::bigint
      `.execute(main);
      // The posts past a score or like badge's bar, which the trigger lists as votes and likes
      // take them there (migrations/0040).
      await sql`
        insert into posts_past_bar (post_id, user_id)
        select id, user_id from posts where id > ${postBase}::bigint and (score >= 10 or like_count >= 10)
        on conflict (post_id) do nothing
      `.execute(main);
      // And the day's gains from votes that the daily cap is decided against (migrations/0033).
      const today = dayStart(new Date());
      await sql`
        update users u set vote_gains = g.points, vote_gains_on = ${today.toISOString().slice(0, 10)}::date
        from (select user_id, sum(points)::int as points from reputation_events
              where user_id > ${memberBase}::bigint and ${towardsCap()} and created_at >= ${today}
              group by user_id) g
        where u.id = g.user_id
      `.execute(main);
      // The identity sequences continue after the ids chosen here.
      for (const table of ['users', 'categories', 'tags', 'threads', 'posts'] as const) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(main);
      }
      if (bulk) {
        // The page announcements the skipped triggers would have made: every page changed.
        await sql`select pg_notify('hearth_pages', 'all')`.execute(main);
      }
    });

    rows.badges = await step('badges', badges.length, async (advance) => {
      // Every badge for everyone, as the daily job grants them (server/badges/grant.ts), timed as
      // the backfill a community moving to Hearth would run. Members are told of the grants of
      // the last two days only, as a backfill tells them.
      let granted = 0;
      for (const badge of badges) {
        granted += await grantBadge(main, badge, 'all', now);
        advance(1);
      }
      // Where the row triggers ran, they marked members due; this step has done what a due run would.
      await sql`delete from badge_due`.execute(main);
      return granted;
    });

    await step('analyze', seededTables.length, async (advance) => {
      // A vacuum so that index-only scans work from the start, as they would on a forum that grew
      // over years, and statistics again now that the counters are written.
      await inParallel(held.conns, [...seededTables], async (c, table) => {
        await sql`vacuum (analyze) ${sql.table(table)}`.execute(c);
        advance(1);
      });
    });
    await opts.betweenSteps?.(null);
  } finally {
    await held.release();
  }
  return { sizes, rows, seconds, triggers, unhandledTriggers };
}

/** Whether the database already holds a community (any thread). */
export async function hasThreads(db: Db): Promise<boolean> {
  const row = await db.selectFrom('threads').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Empties the community: members, categories and tags, and through CASCADE everything that
 * hangs on them (sessions, threads, posts, likes, reads, notifications…), ids starting again
 * at 1. Settings and the migrations' own tables stay.
 */
export async function emptyCommunity(db: Db): Promise<void> {
  await sql`truncate users, categories, tags restart identity cascade`.execute(db);
}

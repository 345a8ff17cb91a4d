// Reads of search: which posts a viewer may find, and the ranked, highlighted results.
//
// About plans: PostgreSQL may replace the plan of a prepared statement run many times with a
// generic one that ignores the parameter's value, and for `search_vector @@ $1` that plan can
// skip the GIN index. node-postgres only prepares named statements (a query config with a
// `name`), and server/db/index.ts names every statement with parameters except those whose
// text holds `@@`: every search slice is parsed into the unnamed statement and planned for its
// own words and its own range of post ids (node_modules/pg/lib/query.js, prepare()), which a
// slice needs as much as the words (the same statement walks the primary key for a common word
// and intersects indexes for a rare one). The page's headlines are looked up by id, a plan
// that suits every value. test/search/plan.test.ts runs searches many times on one connection
// and checks that the index is still used.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { publicPost, visiblePosts } from '../access/posts.ts';
import { visibleThreads } from '../access/threads.ts';
import type { Viewer } from '../permissions.ts';
import { LT, MARK_END, MARK_START, mayWalk, nextSlice, ONE_STEP, pageOfCandidates, SEARCH_CANDIDATES, type Candidate, type Search } from './rules.ts';

export function memberIdByUsername(db: Db, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

// A thread's title, plain text as typed. Member text loses the marker characters before
// ts_headline, so the only marks in its answer are its own; '<' becomes LT, so that
// ts_headline's parser takes no "<div>" for a tag and drops it (the vector reads it as a space,
// migrations/0008_search.ts).
const plain = (column: string) => sql`translate(${sql.ref(column)}, ${'<' + MARK_START + MARK_END + LT}, ${LT})`;

// Regular expressions of PostgreSQL (ARE: \M ends a word), sent as parameters. The tags are
// those of the allowlist in server/text/cook.ts, whose names sanitize-html writes in lower case.
// Inline elements lose their tags without a trace ("<strong>the</strong>" reads "the",
// "un<em>done</em>" reads "undone"); every other tag (paragraphs, headings, list items, table
// cells, <br>, and any tag the allowlist gains) ends a word, or the words on either side would
// run together. An image is read by its description: the vector holds the alt words of the
// markdown, and a snippet found by one should show it. A capture slows PostgreSQL's regular
// expressions several times over; only the pass for images, which start with a rare '<img', has one.
const IMAGE = String.raw`<img\s(?:[^>]*\s)?alt="([^"]*)"[^>]*>`;
const INLINE_TAG = String.raw`</?(?:a|code|del|em|s|strong)\M[^>]*>`;
const ANY_TAG = '<[^>]*>';
// In this order: member text loses the marker characters, then the entities are decoded, '<' to
// LT as in plain(), '&amp;' last ("&amp;lt;" was typed as "&lt;" and reads so). replace() even
// for one character: translate() costs about what three replace() calls do.
const REPLACEMENTS = [
  [MARK_START, ''], [MARK_END, ''], [LT, ''], ['&lt;', LT], ['&gt;', '>'], ['&quot;', '"'], ['&amp;', '&'],
] as const;

/**
 * The text a reader sees of a post, from its cooked HTML: links by their text (the address is an
 * attribute and goes with its tag), code as text, images by their description, words apart
 * where blocks end, entities decoded. sanitize-html wrote the HTML: no comments, attributes in
 * double quotes, and no entity in text or attributes but '&amp;', '&lt;', '&gt;' (and '&quot;'
 * in attributes), so a tag runs from '<' to the next '>'. White space is collapsed by
 * highlight(), in the passage only. Made for the rows of one page: the ranking reads the
 * vectors, never this.
 */
const readText = (column: string) => {
  let text = sql`regexp_replace(${sql.ref(column)}, ${IMAGE}, ${' \\1 '}, 'g')`;
  text = sql`regexp_replace(${text}, ${INLINE_TAG}, '', 'g')`;
  text = sql`regexp_replace(${text}, ${ANY_TAG}, ' ', 'g')`;
  for (const [from, to] of REPLACEMENTS) text = sql`replace(${text}, ${from}, ${to})`;
  return text;
};

// One passage around the best match: fragment mode cuts each fragment at a word, losing the
// punctuation and the text around it.
const snippetOptions = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=45, MinWords=25`;
const titleOptions = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;

export interface SearchFilters extends Search {
  categoryId?: number;
  authorId?: number;
}

const tsquery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;
type PostsEb = ExpressionBuilder<Database & { p: Database['posts'] }, 'p'>;

/** What a matching post (as `p`) is in itself: the words, and the filters on the post. */
const postMatches = (s: SearchFilters) => (eb: PostsEb) =>
  eb.and([
    sql<boolean>`p.search_vector @@ ${tsquery(s.q)}`,
    ...(s.authorId !== undefined ? [eb('p.user_id', '=', s.authorId)] : []),
    ...(s.from !== undefined ? [eb('p.created_at', '>=', s.from)] : []),
    ...(s.before !== undefined ? [eb('p.created_at', '<', s.before)] : []),
  ]);

/** Whether the search is narrowed by something of the thread (its category, its kind). */
const byThread = (s: SearchFilters) => s.categoryId !== undefined || s.kind !== undefined;

/** Posts the viewer may find in the threads the search is narrowed to, matching it. */
function matchingInThreads(db: Db, viewer: Viewer | null, s: SearchFilters) {
  return visiblePosts(db, viewer)
    .where(postMatches(s))
    .$if(s.categoryId !== undefined, (q) => q.where('t.category_id', '=', s.categoryId!))
    .$if(s.kind !== undefined, (q) => q.where('t.kind', '=', s.kind!));
}

/**
 * How many posts PostgreSQL's statistics expect to match, for the price of planning the query:
 * ANALYZE keeps the frequency of the most common words of the vectors, and a word it does not
 * list is taken for a rare one. It sizes a search's first slice. Dates are left out: the
 * statistics take them for independent of the words, while the newest posts are the ones of the
 * latest dates, which the slices reach first (a search from last week would look rare).
 */
export async function estimatedMatches(db: Db, viewer: Viewer | null, s: SearchFilters) {
  const words = { ...s, from: undefined, before: undefined };
  const query = byThread(s)
    ? matchingInThreads(db, viewer, words)
    : db.selectFrom('posts as p').where(publicPost).where(postMatches(words));
  const [row] = await query.select('p.id').explain('json');
  const plan = row['QUERY PLAN'] as unknown as [{ Plan: { 'Plan Rows': number } }];
  return plan[0].Plan['Plan Rows'];
}

/** The highest post id: searches count their slices of ids down from it. */
export async function newestPostId(db: Db) {
  const row = await db.selectFrom('posts').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return row?.id ?? 0;
}

export interface Slice {
  /** Post ids above this one (0: down to the first post)… */
  after: number;
  /** …up to this one. */
  upTo: number;
  /** The newest this many matches of the slice. */
  limit: number;
  /** May PostgreSQL find them by walking the primary key down (see searchSlice)? */
  walk: boolean;
}

/**
 * The newest matching posts of one slice of post ids, newest first, each with its rank and
 * whether the viewer may see it (its thread listed, its category readable).
 *
 * The id range lets PostgreSQL visit only the slice's matches: for most words it intersects
 * the text index with a range of the primary key (BitmapAnd); for the most common ones it
 * walks the primary key down from `upTo` and stops at `limit` (a word in one post of eight
 * gives its newest thousand within 8,000 posts, where its text index entry lists 130,000
 * posts in a million). The key is walked only where that reads fewer posts than the index
 * lists (`walk`, rules.ts mayWalk); elsewhere the order is by `p.id + 0`, which no index gives.
 * The planner reckons that a walk stops early, as if matches were spread evenly through the
 * key, and a rarer word or a narrower search then walks through far more posts than it finds
 * ("sort", in 5,500 posts of a million, took 390 ms; a date range that starts far down the
 * key, longer still).
 *
 * Without a category or kind, the newest matches are chosen among posts alone and their
 * threads read for those only: joined before the limit, the thread of every match in the
 * slice is read (past ~1,500 of them the planner reads all threads into a hash). Nearly every
 * public post is in a visible thread; the few that are not come back as not visible, so that
 * the caller looks further for others. With a category or kind, the thread decides whether a
 * post matches at all, so it is joined first and every row is visible. Ranks are computed in
 * the outer query, for the kept rows only.
 */
export function searchSlice(db: Db, viewer: Viewer | null, s: SearchFilters, slice: Slice) {
  const inSlice = (eb: PostsEb) =>
    eb.and([eb('p.id', '<=', slice.upTo), ...(slice.after > 0 ? [eb('p.id', '>', slice.after)] : [])]);
  const rank = sql<number>`ts_rank_cd(n.search_vector, ${tsquery(s.q)})`.as('rank');
  const newestFirst = slice.walk ? sql`p.id` : sql`p.id + 0`;

  if (byThread(s)) {
    const newest = matchingInThreads(db, viewer, s)
      .where(inSlice)
      .select('p.id')
      .orderBy(newestFirst, 'desc')
      .limit(slice.limit);
    // Only ids are carried through the join and the sort, where a slice can hold thousands of
    // matches; the vectors of the kept ones are read again by id.
    return db
      .selectFrom(newest.as('k'))
      .innerJoin('posts as n', 'n.id', 'k.id')
      .select(['n.id', rank, sql<boolean>`true`.as('visible')]);
  }
  const newest = db
    .selectFrom('posts as p')
    .where(publicPost)
    .where(postMatches(s))
    .where(inSlice)
    .select(['p.id', 'p.thread_id', 'p.search_vector'])
    .orderBy(newestFirst, 'desc')
    .limit(slice.limit);
  return db
    .selectFrom(newest.as('n'))
    .leftJoin(visibleThreads(db, viewer).select('t.id').as('v'), 'v.id', 'n.thread_id')
    .select(['n.id', rank, sql<boolean>`v.id is not null`.as('visible')]);
}

/**
 * The posts of one page of results with their highlighted title and snippet, in no order: the
 * snippet is a passage of the text the post shows (readText), around its best match.
 */
export function searchResults(db: Db, viewer: Viewer | null, q: string, ids: readonly number[]) {
  return visiblePosts(db, viewer)
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select([
      'p.id', 'p.post_number', 'p.created_at', 't.id as thread_id', 't.kind', 'c.name as category_name', 'c.slug as category_slug',
      'u.username',
      sql<string>`ts_headline('english', ${plain('t.title')}, ${tsquery(q)}, ${titleOptions})`.as('title_marked'),
      sql<string>`ts_headline('english', ${readText('p.cooked')}, ${tsquery(q)}, ${snippetOptions})`.as('snippet_marked'),
    ])
    .where(sql<boolean>`p.id = any(${[...ids]})`);
}

/**
 * One page of results, best first, among the newest SEARCH_CANDIDATES matching posts: slices
 * of post ids are searched from the newest down (nextSlice), until that many are found or the
 * first post is reached; those are ranked, and ts_headline (costly) runs for the page only.
 * `limited` tells whether the limit was reached, so that older matches may exist.
 */
export async function searchPosts(
  db: Db,
  viewer: Viewer | null,
  s: SearchFilters,
  limits: { candidates: number; oneStep: number } = { candidates: SEARCH_CANDIDATES, oneStep: ONE_STEP },
) {
  const newest = await newestPostId(db);
  // A small forum is searched in one step, all its matches visited, as it can afford.
  const candidates = newest <= limits.oneStep
    ? await newestCandidates(db, viewer, s, limits.candidates, newest, 0)
    : db.isTransaction
      ? await slicedCandidates(db, viewer, s, limits.candidates, newest)
      : await db.transaction().execute((tx) => slicedCandidates(tx, viewer, s, limits.candidates, newest));
  const { ids, more } = pageOfCandidates(candidates, s.page);
  const rows = ids.length ? await searchResults(db, viewer, s.q, ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    results: ids.flatMap((id) => byId.get(id) ?? []),
    more,
    limited: candidates.length >= limits.candidates,
  };
}

/** The newest candidates of a large forum, in `tx`, a transaction. */
async function slicedCandidates(tx: Db, viewer: Viewer | null, s: SearchFilters, wanted: number, newest: number) {
  // The pages a search visits are read again and again and stay in memory, where a page out of
  // order costs about what the next one does. At the default cost (4 for 1) the planner reads a
  // slice of 30,000 posts in key order (40 ms) for a word in one post of 36, rather than visit
  // the 800 pages its matches are on (10 ms). For this transaction only: in a caller's, to its end.
  await sql`set local random_page_cost = 1.1`.execute(tx);
  const estimate = Math.min(await estimatedMatches(tx, viewer, s), newest);
  return newestCandidates(tx, viewer, s, wanted, newest, estimate);
}

/**
 * The newest visible matches, at most `wanted`, slice after slice down from `newest`, for a
 * search that `estimate` posts match in all (0: search all posts at once).
 */
async function newestCandidates(db: Db, viewer: Viewer | null, s: SearchFilters, wanted: number, newest: number, estimate: number) {
  const candidates: Candidate[] = [];
  let upTo = newest;
  while (upTo > 0 && candidates.length < wanted) {
    const searched = newest - upTo;
    // Before the first slice, the density the statistics expect; then the one found. None found
    // yet says little (the newest posts may hold none of an old word, or of any word: a burst
    // of short replies): the statistics' density still sizes the next slice, never smaller
    // than what was searched, so a search goes down in steps that at least double.
    const density = candidates.length > 0 ? candidates.length / searched : estimate / newest;
    const missing = wanted - candidates.length;
    const walkable = mayWalk(density, missing, estimate);
    const after = upTo - nextSlice(density, missing, upTo, searched, walkable);
    // A walk goes no further than its slice: the last one, down to the first post, is not walked.
    const walk = after > 0 && walkable;
    const rows = await searchSlice(db, viewer, s, { after, upTo, limit: missing, walk }).execute();
    for (const r of rows) if (r.visible) candidates.push({ id: r.id, rank: r.rank });
    // A full slice whose newest matches were not all visible goes on below the oldest of them.
    upTo = rows.length === missing ? rows.reduce((low, r) => Math.min(low, r.id), upTo) - 1 : after;
  }
  return candidates;
}

/** How many words of a title the similar questions are looked for by: a title has 200 characters at most. */
const SIMILAR_WORDS = 20;

/**
 * The questions most like a title being written (the new-thread form): the first posts of
 * question threads the viewer may find that hold any of its words, best first, a word of their
 * title (weight A) counting ten times one of their text. Any word, not all: a member asks in
 * their own words. The english configuration drops stop words ("how do I…") and stems the rest.
 *
 * `p.post_number + 0`: on post_number alone PostgreSQL would intersect the text index with the
 * whole posts_thread_number index (every first post; 50 ms on a 200,000-post seed, 20 without).
 * A title of only very common words still reads each post holding one (300 ms there): a GIN
 * index over question titles alone (or over first posts) would answer from far fewer rows.
 */
export function similarQuestions(db: Db, viewer: Viewer | null, title: string, limit = 5) {
  // Words only, joined by the websearch syntax's "or" (itself a stop word, so dropped as a word).
  const words = (title.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.toLowerCase() !== 'or').slice(0, SIMILAR_WORDS);
  if (words.length === 0) return Promise.resolve([]);
  const query = tsquery(words.join(' or '));
  return visiblePosts(db, viewer)
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .select(['t.id', 't.title', 't.slug', 't.kind', 't.reply_count', 't.accepted_post_id', 'p.score as question_score', 'c.name as category_name'])
    .where('t.kind', '=', 'question')
    .where(sql<number>`p.post_number + 0`, '=', 1)
    .where(sql<boolean>`p.search_vector @@ ${query}`)
    .orderBy(sql`ts_rank('{0, 0, 0.1, 1}', p.search_vector, ${query})`, 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .execute();
}

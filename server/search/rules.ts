// Pure rules of search: reading the form, paging, and turning highlighted text into safe HTML.
import Handlebars from 'handlebars';
import type { ThreadKind } from '../db/schema.ts';

export const QUERY_MAX = 200;
export const RESULTS_PAGE = 20;
/** Results are ranked, so paging is by position in the ranking: capped, so it never grows large. */
export const MAX_PAGE = 10;

/**
 * Search ranks the newest matching posts only, at most this many. Ranking every match of a
 * common word costs in proportion to the size of the forum (77,000 posts hold "preference" in
 * a million); finding and ranking the newest thousand costs about the same on any forum. The
 * page says so when the limit was reached, and the filters (category, author, kind, dates)
 * reach older posts, since the limit counts the posts that pass them.
 */
export const SEARCH_CANDIDATES = 1000;
/**
 * A forum of at most this many posts is searched in one step, all its matches visited, as a
 * small forum can afford; a larger one in slices of post ids from the newest down.
 */
export const ONE_STEP = 16_000;

/**
 * How many more post ids to search, older than the `searched` newest ones, to find `missing`
 * more matches among the `remaining` older ids, at `density` matches per post (as found so
 * far, or as PostgreSQL's statistics estimate before the first slice): enough at that density,
 * with a margin, and at least as many as were searched. A slice that holds more matches than
 * are wanted costs little more (the newest ones are kept); one that holds too few costs another
 * step. A slice to `walk` (mayWalk) has twice the margin, as the walk stops at its last match:
 * the density of the newest posts may be below the statistics'. A word missing from the posts
 * searched, or a slice reaching over much of what remains, takes all the rest at once: the
 * text index then finds its few matches more cheaply than a range of the primary key marks
 * them out.
 */
export function nextSlice(density: number, missing: number, remaining: number, searched: number, walk = false): number {
  if (density <= 0) return remaining;
  const size = Math.max(searched, Math.ceil((missing * (walk ? 2.5 : 1.25)) / density));
  return size * 8 >= remaining ? remaining : size;
}

/**
 * Whether the newest matches of a slice may be found by walking the primary key down from its
 * top (see searchSlice), reading each post in turn, rather than by the text index, whose entry
 * for the word lists every post that holds it, however old (`listed` of them, as PostgreSQL's
 * statistics estimate). At `density` matches per post, a walk reads about missing / density
 * posts; a post read costs about what six entries of the index do (measured on a million
 * posts). A walk goes no further than its slice.
 */
export function mayWalk(density: number, missing: number, listed: number): boolean {
  return density > 0 && (missing / density) * 6 <= listed;
}

/** A post found by search, with its rank (ts_rank_cd). */
export interface Candidate {
  id: number;
  rank: number;
}

/**
 * The ids on one page of results: best rank first, the newer post first among equals, and
 * whether another page follows.
 */
export function pageOfCandidates(candidates: readonly Candidate[], page: number, size = RESULTS_PAGE) {
  const ranked = [...candidates].sort((a, b) => b.rank - a.rank || b.id - a.id);
  const from = (page - 1) * size;
  return { ids: ranked.slice(from, from + size).map((c) => c.id), more: ranked.length > from + size };
}

export const searchKinds: readonly { value: ThreadKind; label: string }[] = [
  { value: 'discussion', label: 'Discussions' },
  { value: 'question', label: 'Questions' },
  { value: 'idea', label: 'Ideas' },
  { value: 'event', label: 'Events' },
  { value: 'announcement', label: 'Announcements' },
];

/** The search form as the browser sent it (all optional: the page works with none). */
export interface SearchParams {
  q?: string;
  category?: string;
  author?: string;
  kind?: string;
  from?: string;
  to?: string;
  page?: string;
}

export interface Search {
  q: string;
  categorySlug?: string;
  author?: string;
  kind?: ThreadKind;
  /** Posts written at or after this instant. */
  from?: Date;
  /** Posts written before this instant (the day after the `to` date: that day is included). */
  before?: Date;
  page: number;
}

const DAY = 86_400_000;

/** A calendar date as <input type="date"> sends it: "2026-03-31", midnight UTC. */
export function parseDay(raw: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return null;
  const d = new Date(`${raw}T00:00:00Z`);
  // "2026-02-30" parses to 2 March: a date that does not round-trip does not exist.
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === raw ? d : null;
}

/**
 * The form read into a search, with one message per field that is wrong. `values` is what the
 * form shows again. An empty query is no search and no error; the filters are still checked.
 */
export function readSearch(params: SearchParams, categorySlugs: readonly string[]) {
  const values = {
    q: params.q ?? '',
    category: params.category?.trim() ?? '',
    author: params.author?.trim() ?? '',
    kind: params.kind?.trim() ?? '',
    from: params.from?.trim() ?? '',
    to: params.to?.trim() ?? '',
  };
  const errors: Record<string, string> = {};
  const q = values.q.trim();
  if (q.length > QUERY_MAX) errors.q = `Searches are at most ${QUERY_MAX} characters; this one has ${q.length}.`;
  if (values.category && !categorySlugs.includes(values.category)) {
    errors.category = 'There is no such category; choose one from the list.';
  }
  if (values.author && !/^[A-Za-z0-9_-]{1,20}$/.test(values.author)) {
    errors.author = 'Usernames are letters, digits, "-" and "_", at most 20 characters.';
  }
  const kind = searchKinds.find((k) => k.value === values.kind)?.value;
  if (values.kind && !kind) errors.kind = 'Choose a kind of thread from the list.';
  const from = values.from ? parseDay(values.from) : null;
  if (values.from && !from) errors.from = 'Use a date like 2026-03-31.';
  const to = values.to ? parseDay(values.to) : null;
  if (values.to && !to) errors.to = 'Use a date like 2026-03-31.';
  else if (from && to && to < from) errors.to = 'The end date is before the start date.';

  let page = 1;
  let pageError: string | undefined;
  if (params.page !== undefined && params.page !== '') {
    page = /^\d{1,3}$/.test(params.page) ? Number(params.page) : 0;
    if (page < 1 || page > MAX_PAGE) {
      pageError = `Search shows the first ${MAX_PAGE} pages of results; narrow it with the filters to see others.`;
    }
  }

  const search: Search = {
    q,
    categorySlug: values.category || undefined,
    author: values.author || undefined,
    kind,
    from: from ?? undefined,
    before: to ? new Date(to.getTime() + DAY) : undefined,
    page,
  };
  return { search, values, errors, pageError };
}

/** The address of another page of the same search. */
export function searchUrl(values: Record<string, string>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  return `/search?${params}`;
}

// ts_headline marks matches with these private-use characters, which member text never
// carries: the query strips them from the text first (server/search/queries.ts). LT stands in
// for '<' so that PostgreSQL's parser does not take "<div>" for a tag and drop it.
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
export const LT = '\uE002';

/**
 * Text from ts_headline as HTML: white space collapsed (a snippet's text keeps the line breaks
 * and the spaces that stood for tags), every character escaped, then the marks (and only they)
 * turned into <mark> elements. Member text is never trusted as markup here.
 */
export function highlight(marked: string): string {
  return Handlebars.escapeExpression(marked.replace(/\s+/g, ' ').trim().replaceAll(LT, '<'))
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_END, '</mark>');
}

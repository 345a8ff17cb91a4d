// Reads of search: which posts a viewer may find, and the ranked, highlighted results.
//
// About plans: PostgreSQL may replace the plan of a prepared statement run many times with a
// generic one that ignores the parameter's value, and for `search_vector @@ $1` that plan can
// skip the GIN index. node-postgres only prepares named statements (a query config with a
// `name`); Kysely sends text and values without one, so every search is parsed into the
// unnamed statement and planned for its own query (node_modules/pg/lib/query.js, prepare()).
// test/search/plan.test.ts runs a search many times on one connection and checks that the
// index is still used.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { visiblePosts } from '../threads/access.ts';
import type { Viewer } from '../permissions.ts';
import { LT, MARK_END, MARK_START, RESULTS_PAGE, type Search } from './rules.ts';

export function memberIdByUsername(db: Db, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

// Member text loses the marker characters before ts_headline, so the only marks in its
// answer are its own; '<' becomes LT, as the vector reads it as a space (migrations/0008_search.ts).
const plain = (column: string) => sql`translate(${sql.ref(column)}, ${'<' + MARK_START + MARK_END + LT}, ${LT})`;
// One passage around the best match: fragment mode cuts each fragment at a word, losing the
// punctuation and the text around it.
const snippetOptions = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=45, MinWords=25`;
const titleOptions = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;

export interface SearchFilters extends Search {
  categoryId?: number;
  authorId?: number;
}

/**
 * One page of matching posts, best first, plus one more row to tell whether there is a next
 * page. Ranked and paged in an inner query, so ts_headline (costly) runs only for the page.
 */
export function searchQuery(db: Db, viewer: Viewer | null, s: SearchFilters) {
  const query = () => sql`websearch_to_tsquery('english', ${s.q})`;
  const matches = visiblePosts(db, viewer)
    .select(['p.id', sql<number>`ts_rank_cd(p.search_vector, ${query()})`.as('rank')])
    .where(sql<boolean>`p.search_vector @@ ${query()}`)
    .$if(s.categoryId !== undefined, (q) => q.where('t.category_id', '=', s.categoryId!))
    .$if(s.authorId !== undefined, (q) => q.where('p.user_id', '=', s.authorId!))
    .$if(s.kind !== undefined, (q) => q.where('t.kind', '=', s.kind!))
    .$if(s.from !== undefined, (q) => q.where('p.created_at', '>=', s.from!))
    .$if(s.before !== undefined, (q) => q.where('p.created_at', '<', s.before!))
    .orderBy('rank', 'desc')
    .orderBy('p.id', 'desc')
    .limit(RESULTS_PAGE + 1)
    .offset((s.page - 1) * RESULTS_PAGE);

  return db
    .selectFrom(matches.as('m'))
    .innerJoin('posts as p', 'p.id', 'm.id')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select([
      'p.id', 'p.post_number', 'p.created_at', 't.id as thread_id', 't.kind', 'c.name as category_name', 'c.slug as category_slug',
      'u.username',
      sql<string>`ts_headline('english', ${plain('t.title')}, ${query()}, ${titleOptions})`.as('title_marked'),
      sql<string>`ts_headline('english', ${plain('p.raw')}, ${query()}, ${snippetOptions})`.as('snippet_marked'),
    ])
    .orderBy('m.rank', 'desc')
    .orderBy('m.id', 'desc');
}

export function searchPosts(db: Db, viewer: Viewer | null, s: SearchFilters) {
  return searchQuery(db, viewer, s).execute();
}

// Which posts a viewer may see, in SQL and at a route: the same rule as isPublic and canSee
// (server/permissions.ts). A post is public when it is neither deleted, hidden (flags, a
// moderator) nor pending (held for approval); the writes that change that are
// server/moderation/holds.ts.
import type { ExpressionBuilder, SelectExpression } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { seePostRefusal, type canReadCategory, type Viewer, type WithheldFacts } from '../permissions.ts';
import { categoryAccessColumns } from './categories.ts';
import { visibleThreads } from './threads.ts';

type PostsEb = ExpressionBuilder<Database & { p: Database['posts'] }, 'p'>;

/** Public posts (as `p`): for search, feeds, profiles, counts, anything shown to more than one person. */
export const publicPost = (eb: PostsEb) =>
  eb.and([eb('p.deleted_at', 'is', null), eb('p.hidden_at', 'is', null), eb('p.pending_at', 'is', null)]);

/** Posts (as `p`) kept from readers but not deleted: hidden or held, which their author still reads. */
export const withheldPost = (eb: PostsEb) =>
  eb.and([eb('p.deleted_at', 'is', null), eb.or([eb('p.hidden_at', 'is not', null), eb('p.pending_at', 'is not', null)])]);

/**
 * Posts (as `p`) the viewer may read in a thread: public ones, and their own withheld ones.
 * Moderators, who see everything, do without this condition.
 */
export function readablePost(viewer: Viewer | null) {
  return (eb: PostsEb) => {
    if (!viewer) return publicPost(eb);
    return eb.or([publicPost(eb), eb.and([eb('p.user_id', '=', viewer.id), eb('p.deleted_at', 'is', null)])]);
  };
}

/** Posts the viewer may find: public posts of visible threads (held, hidden and deleted ones never). */
export function visiblePosts(db: Db, viewer: Viewer | null) {
  return visibleThreads(db, viewer).innerJoin('posts as p', 'p.thread_id', 't.id').where(publicPost);
}

/** A post's row as the routes that act on one read it: the post, its thread's holds as `thread_…`, its category's access. */
export interface PostWithThread extends WithheldFacts {
  thread_user_id: number;
  thread_deleted_at: Date | null;
  thread_hidden_at: Date | null;
  thread_pending_at: Date | null;
  read_role: Parameters<typeof canReadCategory>[1]['read_role'];
  read_rank: number;
}

/** The tables postWithThread reads: the post as `p`, its thread as `t`, its category as `c`. */
type PostThreadDb = Database & { p: Database['posts']; t: Database['threads']; c: Database['categories'] };

/**
 * What every reader of a post with its thread gets: what assertCanSeePostRow decides from, and
 * where the post is (its thread's address and kind, which says how its pages are ordered).
 */
const postWithThreadColumns = [
  'p.id', 'p.user_id', 'p.post_number', 'p.thread_id', 'p.deleted_at', 'p.hidden_at', 'p.pending_at',
  't.slug', 't.kind', 't.accepted_post_id', 't.user_id as thread_user_id', 't.deleted_at as thread_deleted_at',
  't.hidden_at as thread_hidden_at', 't.pending_at as thread_pending_at',
  ...categoryAccessColumns,
] as const;

/**
 * A post with its thread and its category's access, for the routes that act on one post (its
 * address, votes, edits), and whatever more of the three the caller names in `cols`.
 */
export function postWithThread<C extends SelectExpression<PostThreadDb, 'p' | 't' | 'c'>>(db: Db, id: number, cols: readonly C[] = []) {
  return postWithThreadQuery(db, id, cols).executeTakeFirst();
}

/** Posts with their threads and categories, as postWithThread reads one, for a statement to pick its posts from. */
export function postsWithThreadQuery(db: Db) {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .select(postWithThreadColumns);
}

/** postWithThread's query, for a statement to build on (a vote locks the post with it). */
export function postWithThreadQuery<C extends SelectExpression<PostThreadDb, 'p' | 't' | 'c'>>(db: Db, id: number, cols: readonly C[] = []) {
  return postsWithThreadQuery(db).select(cols).where('p.id', '=', id);
}

/** What the viewer is told when they may not see a post so read where it is (seePostRefusal), or null. */
export function seePostRowRefusal(viewer: Viewer | null, row: PostWithThread) {
  return seePostRefusal(viewer, row, {
    user_id: row.thread_user_id, deleted_at: row.thread_deleted_at, hidden_at: row.thread_hidden_at, pending_at: row.thread_pending_at,
    read_role: row.read_role, read_rank: row.read_rank,
  });
}

/** assertCanSeePost for such a row. */
export function assertCanSeePostRow(viewer: Viewer | null, row: PostWithThread) {
  const refused = seePostRowRefusal(viewer, row);
  if (refused) throw refused;
}

/** Stops here unless the viewer may see the post where it is (seePostRefusal says what they are told). */
export function assertCanSeePost(viewer: Viewer | null, post: WithheldFacts, thread: WithheldFacts & Parameters<typeof canReadCategory>[1]) {
  const refused = seePostRefusal(viewer, post, thread);
  if (refused) throw refused;
}

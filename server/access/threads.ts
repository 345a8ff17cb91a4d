// Category access in SQL: the same rule as canReadCategory (server/permissions.ts), for lists,
// search, feeds and notifications, so that hidden content never leaks through any of them.
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { forbidden, HttpError, notFound } from '../errors.ts';
import { canReadCategory, hasRole, rolesHeld, type Viewer, canOpenThread } from '../permissions.ts';
import { listedThread } from './threads.ts';
import { publicPost } from './posts.ts';

/** The ids of the categories the viewer may read, as a subquery. */
export function readableCategoryIds(db: Db, viewer: Viewer | null) {
  const held = rolesHeld(viewer);
  const rankFree = hasRole(viewer, 'moderator');
  return db
    .selectFrom('categories as rc')
    .select('rc.id')
    .where((eb: ExpressionBuilder<Database & { rc: Database['categories'] }, 'rc'>) =>
      eb.and([
        held.length ? eb.or([eb('rc.read_role', 'is', null), eb('rc.read_role', 'in', held)]) : eb('rc.read_role', 'is', null),
        rankFree ? eb.lit(true) : eb('rc.read_rank', '<=', viewer ? viewer.rank : 0),
      ]),
    );
}

/**
 * Threads the viewer may see in lists, search and feeds: public, listed ones in categories they
 * may read. Deleted, hidden, held and unlisted threads are never listed, whoever asks: their
 * author and staff open them at their address.
 */
export function visibleThreads(db: Db, viewer: Viewer | null) {
  return db
    .selectFrom('threads as t')
    .where(listedThread)
    .where('t.category_id', 'in', readableCategoryIds(db, viewer));
}

/** Posts the viewer may find: public posts of visible threads (held, hidden and deleted ones never). */
export function visiblePosts(db: Db, viewer: Viewer | null) {
  return visibleThreads(db, viewer).innerJoin('posts as p', 'p.thread_id', 't.id').where(publicPost);
}

/**
 * Stops here unless the viewer may read the category: a guest is asked to sign in (401), a
 * member without the role or rank is refused (403). The page never says more than that.
 */
export function assertCanRead(viewer: Viewer | null, c: Parameters<typeof canReadCategory>[1]) {
  if (canReadCategory(viewer, c)) return;
  if (!viewer) throw new HttpError(401, 'Please sign in to read this.');
  throw forbidden('This category is open to some members only.');
}

/**
 * Stops here unless the viewer may open the thread where it is, as its page decides: a thread
 * they may not open is not there (404); one in a category they may not read, as assertCanRead.
 * For what acts on a thread (staff and moderators' actions), which must show no more than its page.
 */
export function assertCanOpenThread(
  viewer: Viewer | null,
  thread: Parameters<typeof canOpenThread>[1] & Parameters<typeof canReadCategory>[1],
) {
  if (!canOpenThread(viewer, thread)) throw notFound('That thread');
  assertCanRead(viewer, thread);
}

/** The columns a route needs to decide access, selected with a category joined as `c`. */
export const categoryAccessColumns = ['c.read_role', 'c.read_rank', 'c.post_role', 'c.post_rank'] as const;

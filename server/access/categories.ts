// Who may read a category, in SQL and at a route: the same rule as canReadCategory
// (server/permissions.ts), for lists, search, feeds, notifications and the queue, so that a
// category's threads never leak through any of them.
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { hasRole, readRefusal, rolesHeld, type canReadCategory, type Viewer } from '../permissions.ts';

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

/** The categories the viewer may read, in their order. */
export function readableCategories(db: Db, viewer: Viewer | null) {
  return db
    .selectFrom('categories')
    .select(['id', 'name', 'slug', 'description', 'color', 'thread_count'])
    .where('id', 'in', readableCategoryIds(db, viewer))
    .orderBy('position')
    .orderBy('id')
    .execute();
}

/** Stops here unless the viewer may read the category (readRefusal says what they are told). */
export function assertCanRead(viewer: Viewer | null, c: Parameters<typeof canReadCategory>[1]) {
  const refused = readRefusal(viewer, c);
  if (refused) throw refused;
}

/** The columns a route needs to decide access, selected with a category joined as `c`. */
export const categoryAccessColumns = ['c.read_role', 'c.read_rank', 'c.post_role', 'c.post_rank'] as const;

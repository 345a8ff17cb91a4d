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
    .where((eb: ExpressionBuilder<Database & { rc: Database['categories'] }, 'rc'>) => {
      const byStanding = eb.and([
        held.length ? eb.or([eb('rc.read_role', 'is', null), eb('rc.read_role', 'in', held)]) : eb('rc.read_role', 'is', null),
        rankFree ? eb.lit(true) : eb('rc.read_rank', '<=', viewer ? viewer.rank : 0),
      ]);
      // A category that lets the member in by name (an invite's): one lookup by primary key.
      return viewer
        ? eb.or([
          byStanding,
          eb.exists(eb.selectFrom('category_members as cm').select('cm.user_id').whereRef('cm.category_id', '=', 'rc.id').where('cm.user_id', '=', viewer.id)),
        ])
        : byStanding;
    });
}

/**
 * The categories the viewer may read, in their order: those listed (not archived) unless
 * `archived` asks for those too.
 */
export function readableCategories(db: Db, viewer: Viewer | null, opts: { archived?: boolean } = {}) {
  return db
    .selectFrom('categories')
    .select(['id', 'name', 'slug', 'description', 'color', 'thread_count'])
    .where('id', 'in', readableCategoryIds(db, viewer))
    .$if(!opts.archived, (q) => q.where('archived_at', 'is', null))
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
export const categoryAccessColumns = ['c.read_role', 'c.read_rank', 'c.post_role', 'c.post_rank', 'c.archived_at as category_archived_at'] as const;

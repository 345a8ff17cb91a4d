// Categories as admins keep them: every one with its access, edited, reordered, archived. Each
// change is one transaction with its line in the staff log. Nothing here locks a category before
// changing its access: the access triggers (migrations/0026) take the threads table first, and a
// category locked before them would wait on a thread being started in it (see that migration).
import type { Db } from '../db/index.ts';
import type { Role } from '../db/schema.ts';
import { logAction } from '../moderation/log/write.ts';

/** What an admin sets of a category: the create form's fields. */
export interface CategoryFields {
  name: string;
  slug: string;
  description: string;
  color: string;
  read_role: Role | null;
  read_rank: number;
  post_role: Role;
  post_rank: number;
  position: number;
}

const fieldColumns = ['name', 'slug', 'description', 'color', 'read_role', 'read_rank', 'post_role', 'post_rank', 'position'] as const;

/** Every category, archived ones too, in the lists' order, with their access and member count. */
export function allCategories(db: Db) {
  return db
    .selectFrom('categories as c')
    .select(['c.id', ...fieldColumns.map((f) => `c.${f}` as const), 'c.thread_count', 'c.archived_at'])
    .select((eb) => eb.selectFrom('category_members as cm').select(eb.fn.countAll<number>().as('n')).whereRef('cm.category_id', '=', 'c.id').as('member_count'))
    .orderBy('c.position')
    .orderBy('c.id')
    .execute();
}

export function categoryById(db: Db, id: number) {
  return db
    .selectFrom('categories')
    .select(['id', ...fieldColumns, 'thread_count', 'archived_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The fields of a category that differ between two versions of it, for the log. */
function changed<T extends Record<string, unknown>>(before: T, after: T, keys: readonly (keyof T)[]) {
  const was: Partial<T> = {};
  const now: Partial<T> = {};
  for (const k of keys) {
    if (before[k] !== after[k]) {
      was[k] = before[k];
      now[k] = after[k];
    }
  }
  return { was, now, any: Object.keys(now).length > 0 };
}

/**
 * Saves an admin's edit of a category; undefined if there is none. A taken slug throws the unique
 * violation. One update statement: a change of who may read runs the access triggers, which count
 * the category's posts in or out of its members' public counts (migrations/0026).
 */
export async function editCategory(db: Db, id: number, fields: CategoryFields, by: number) {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('categories').select(['id', ...fieldColumns]).where('id', '=', id).executeTakeFirst();
    if (!before) return undefined;
    const diff = changed(before, { id, ...fields }, fieldColumns);
    if (!diff.any) return before;
    const after = await tx.updateTable('categories').set(diff.now).where('id', '=', id).returning(['id', ...fieldColumns]).executeTakeFirstOrThrow();
    await logAction(tx, { actorId: by, action: 'category.edit', target: { type: 'category', id, label: after.name }, before: diff.was, after: diff.now });
    return after;
  });
}

/**
 * Moves a category one place up or down the lists. Positions may repeat (the create form's
 * default is 0), so the order is written out again as 10, 20, 30… with the two swapped; the
 * log keeps the category's position before and after.
 */
export async function moveCategory(db: Db, id: number, direction: 'up' | 'down', by: number) {
  return db.transaction().execute(async (tx) => {
    const order = await tx.selectFrom('categories').select(['id', 'name', 'position']).orderBy('position').orderBy('id').execute();
    const at = order.findIndex((c) => c.id === id);
    if (at < 0) return undefined;
    const to = direction === 'up' ? at - 1 : at + 1;
    const moved = order[at]!;
    if (to < 0 || to >= order.length) return { moved: false, category: moved };
    [order[at], order[to]] = [order[to]!, order[at]!];
    // Only the rows whose place changes are written.
    for (const [i, c] of order.entries()) {
      const position = (i + 1) * 10;
      if (c.position !== position) await tx.updateTable('categories').set({ position }).where('id', '=', c.id).execute();
    }
    await logAction(tx, {
      actorId: by,
      action: 'category.move',
      target: { type: 'category', id, label: moved.name },
      before: { position: moved.position, place: at + 1 },
      after: { position: (to + 1) * 10, place: to + 1 },
    });
    return { moved: true, category: moved };
  });
}

/** Archives a category (read-only, out of the lists) or brings it back; undefined if there is none. */
export async function setArchived(db: Db, id: number, archived: boolean, by: number, at: Date) {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('categories').select(['id', 'name', 'archived_at']).where('id', '=', id).executeTakeFirst();
    if (!before) return undefined;
    if ((before.archived_at !== null) === archived) return before;
    const after = await tx
      .updateTable('categories')
      .set({ archived_at: archived ? at : null })
      .where('id', '=', id)
      .returning(['id', 'name', 'archived_at'])
      .executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: by,
      action: archived ? 'category.archive' : 'category.unarchive',
      target: { type: 'category', id, label: after.name },
      before: { archived_at: before.archived_at },
      after: { archived_at: after.archived_at },
      at,
    });
    return after;
  });
}

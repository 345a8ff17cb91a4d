// Queue items: what brings a post (or an appeal) before moderators. One open item per post,
// whatever brought it in: a later flag or check joins the open item rather than adding one.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { QueueKind } from '../db/schema.ts';
import { rolesHeld, type Viewer } from '../permissions.ts';

/**
 * Opens the queue item for a post, or answers the one already open (with `created: false`).
 * Safe when many flags arrive at once: the unique index on open items decides.
 */
export async function openPostItem(db: Db, item: { kind: Exclude<QueueKind, 'appeal'>; postId: number; detail?: string; at?: Date }) {
  const inserted = await db
    .insertInto('queue_items')
    .values((eb) => ({
      kind: item.kind,
      post_id: item.postId,
      category_id: eb.selectFrom('posts as p').innerJoin('threads as t', 't.id', 'p.thread_id').select('t.category_id').where('p.id', '=', item.postId),
      detail: item.detail ?? '',
      created_at: item.at,
    }))
    .onConflict((oc) => oc.column('post_id').where(sql<boolean>`status = 'open'`).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const open = await db
    .selectFrom('queue_items')
    .select('id')
    .where('post_id', '=', item.postId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return { id: open.id, created: false };
}

/** Opens the queue item for an appeal. */
export async function openAppealItem(db: Db, appealId: number, at?: Date) {
  return db
    .insertInto('queue_items')
    .values({ kind: 'appeal', appeal_id: appealId, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Open items this moderator may act on, for the count on the queue and in their navigation: not
 * those of a category their role may not read, nor appeals they may not decide (their own, or a
 * member's not below their role: sanctionRefusal in server/permissions.ts). The count a session carries
 * (server/sessions/store.ts) is the same rule, so the navigation's number does not jump when an
 * htmx action swaps it.
 */
export async function openItemCount(db: Db, viewer: Viewer): Promise<number> {
  const held = rolesHeld(viewer);
  const below = held.slice(0, -1);
  const row = await db
    .selectFrom('queue_items as q')
    .leftJoin('categories as qc', 'qc.id', 'q.category_id')
    .leftJoin('appeals as a', 'a.id', 'q.appeal_id')
    .leftJoin('users as au', 'au.id', 'a.user_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('q.status', '=', 'open')
    .where((eb) => eb.or([eb('qc.read_role', 'is', null), eb('qc.read_role', 'in', held)]))
    .where((eb) =>
      eb.or([
        eb('q.appeal_id', 'is', null),
        below.length ? eb.and([eb('au.id', '<>', viewer.id), eb('au.role', 'in', below)]) : eb.lit(false),
      ]),
    )
    .executeTakeFirstOrThrow();
  return row.n;
}

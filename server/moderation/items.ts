// Queue items: what brings a post (or an appeal) before moderators. One open item per post,
// whatever brought it in: a later flag or check joins the open item rather than adding one.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { QueueKind } from '../db/schema.ts';

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

/** Open items, for the count in moderators' navigation. */
export async function openItemCount(db: Db): Promise<number> {
  const row = await db.selectFrom('queue_items').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'open').executeTakeFirstOrThrow();
  return row.n;
}

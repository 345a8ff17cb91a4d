// Drafts kept on the server as a member writes, so that they come back on any device.
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';
import { DRAFT_KEEP_DAYS } from './rules.ts';

/** Where a draft is written: a thread's reply box, or a category's new-thread form (named by its address). */
export type DraftPlace = { threadId: number } | { categorySlug: string };

/**
 * The place's key, in SQL, from its row: null for a place that is not there, which then keeps
 * nothing (so a member cannot fill the table with drafts for threads that do not exist), and a
 * category's from its slug, so that a save reads nothing before its one statement.
 */
function keyOf(place: DraftPlace) {
  return 'threadId' in place
    ? sql<string>`(select 'thread:' || t.id from threads t where t.id = ${place.threadId})`
    : sql<string>`(select 'category:' || c.id from categories c where c.slug = ${place.categorySlug})`;
}

/**
 * Keeps what the member has written in this place: one statement, nothing else, as it runs
 * while they type. A thread or category that is not there keeps nothing (its key is null: no
 * row). Nothing written (the box emptied) removes the draft. Who may see the place is not asked
 * here: a draft only ever comes back to its writer, into a form whose page asks it.
 */
export async function saveDraft(db: Db, userId: number, place: DraftPlace, d: { title?: string; body: string }, now: Date) {
  const title = d.title ?? '';
  if (!d.body.trim() && !title.trim()) {
    await db.deleteFrom('drafts').where('user_id', '=', userId).where('draft_key', '=', keyOf(place)).execute();
    return;
  }
  await db
    .insertInto('drafts')
    .columns(['user_id', 'draft_key', 'title', 'body', 'updated_at'])
    .expression(
      db.selectNoFrom([
        sql<number>`${userId}::bigint`.as('user_id'), keyOf(place).as('draft_key'), sql<string>`${title}::text`.as('title'),
        sql<string>`${d.body}::text`.as('body'), sql<Date>`${now}::timestamptz`.as('updated_at'),
      ]).where(keyOf(place), 'is not', null),
    )
    .onConflict((oc) => oc.columns(['user_id', 'draft_key']).doUpdateSet({ title, body: d.body, updated_at: now }))
    .execute();
}

/** The member's draft in this place, if any. */
export function draftOf(db: Db, userId: number, key: string) {
  return db.selectFrom('drafts').select(['title', 'body', 'updated_at']).where('user_id', '=', userId).where('draft_key', '=', key).executeTakeFirst();
}

/** Removes the member's draft in this place: posting does it, in the post's own transaction. */
export async function clearDraft(db: Db, userId: number, key: string) {
  await db.deleteFrom('drafts').where('user_id', '=', userId).where('draft_key', '=', key).execute();
}

/** The daily sweep: drafts left alone for DRAFT_KEEP_DAYS go. */
export async function sweepOldDrafts(db: Db, log: FastifyBaseLogger, now: () => Date) {
  try {
    const cutoff = new Date(now().getTime() - DRAFT_KEEP_DAYS * 86_400_000);
    const { numDeletedRows } = await db.deleteFrom('drafts').where('updated_at', '<', cutoff).executeTakeFirst();
    if (numDeletedRows > 0n) log.info({ drafts: Number(numDeletedRows) }, 'drafts: old drafts removed');
  } catch (err) {
    log.error({ err }, 'drafts: the sweep of old drafts failed');
  }
}

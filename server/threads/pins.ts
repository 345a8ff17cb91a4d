// Pinning and locking threads.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';

/** A pin counts until its end date (if it has one). */
export const pinnedNow = (eb: ExpressionBuilder<Database & { t: Database['threads'] }, 't'>) =>
  eb.and([eb('t.pinned_scope', 'is not', null), eb.or([eb('t.pinned_until', 'is', null), eb('t.pinned_until', '>', sql<Date>`now()`)])]);

export async function pinThread(db: Db, threadId: number, scope: 'category' | 'global', until: Date | null) {
  await db.updateTable('threads').set({ pinned_scope: scope, pinned_at: new Date(), pinned_until: until }).where('id', '=', threadId).execute();
}

export async function unpinThread(db: Db, threadId: number) {
  await db.updateTable('threads').set({ pinned_scope: null, pinned_at: null, pinned_until: null }).where('id', '=', threadId).execute();
}

export async function lockThread(db: Db, threadId: number, by: number | null) {
  await db
    .updateTable('threads')
    .set(by === null ? { locked_at: null, locked_by: null } : { locked_at: new Date(), locked_by: by })
    .where('id', '=', threadId)
    .execute();
}

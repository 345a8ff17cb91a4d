// Pinning and locking threads. Each is a staff action: the change and its line in the staff log
// are written together, so call these inside a transaction (server/threads/staff-routes.ts).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { logAction } from '../moderation/log/write.ts';

/** A pin counts until its end date (if it has one). */
export const pinnedNow = (eb: ExpressionBuilder<Database & { t: Database['threads'] }, 't'>) =>
  eb.and([eb('t.pinned_scope', 'is not', null), eb.or([eb('t.pinned_until', 'is', null), eb('t.pinned_until', '>', sql<Date>`now()`)])]);

/** The thread as it is, locked so that what the log calls "before" is what the change replaced. */
function current(tx: Db, threadId: number) {
  return tx
    .selectFrom('threads')
    .select(['id', 'title', 'pinned_scope', 'pinned_until', 'locked_at'])
    .where('id', '=', threadId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

const pinState = (t: { pinned_scope: string | null; pinned_until: Date | null }) => ({ pinned: t.pinned_scope, until: t.pinned_until });

/** Pins a thread; answers whether anything changed (the same pin again changes nothing and logs nothing). */
export async function pinThread(tx: Db, threadId: number, p: { scope: 'category' | 'global'; until: Date | null; by: number }) {
  const before = await current(tx, threadId);
  if (before.pinned_scope === p.scope && before.pinned_until?.getTime() === p.until?.getTime()) return false;
  await tx.updateTable('threads').set({ pinned_scope: p.scope, pinned_at: new Date(), pinned_until: p.until }).where('id', '=', threadId).execute();
  await logAction(tx, {
    actorId: p.by,
    action: 'thread.pin',
    target: { type: 'thread', id: threadId, label: before.title },
    before: pinState(before),
    after: pinState({ pinned_scope: p.scope, pinned_until: p.until }),
  });
  return true;
}

export async function unpinThread(tx: Db, threadId: number, by: number) {
  const before = await current(tx, threadId);
  if (before.pinned_scope === null) return false;
  await tx.updateTable('threads').set({ pinned_scope: null, pinned_at: null, pinned_until: null }).where('id', '=', threadId).execute();
  await logAction(tx, {
    actorId: by,
    action: 'thread.unpin',
    target: { type: 'thread', id: threadId, label: before.title },
    before: pinState(before),
    after: pinState({ pinned_scope: null, pinned_until: null }),
  });
  return true;
}

/** Locks (`locked: true`) or unlocks a thread; answers whether anything changed. */
export async function lockThread(tx: Db, threadId: number, l: { locked: boolean; by: number }) {
  const before = await current(tx, threadId);
  if ((before.locked_at !== null) === l.locked) return false;
  await tx
    .updateTable('threads')
    .set(l.locked ? { locked_at: new Date(), locked_by: l.by } : { locked_at: null, locked_by: null })
    .where('id', '=', threadId)
    .execute();
  await logAction(tx, {
    actorId: l.by,
    action: l.locked ? 'thread.lock' : 'thread.unlock',
    target: { type: 'thread', id: threadId, label: before.title },
    before: { locked: !l.locked },
    after: { locked: l.locked },
  });
  return true;
}

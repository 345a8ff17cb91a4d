// The staff action log: every action of a moderator, staff member or admin, with who, when,
// what, the target, before and after where they apply, and the reason. Append-only: the
// database refuses UPDATE and DELETE on it (migrations/0017_staff_log.ts).
import type { Db } from '../../db/index.ts';
import type { LogTargetType } from '../../db/schema.ts';

export interface LogEntry {
  actorId: number;
  /** What was done, as `thing.verb`: `post.hide`, `thread.lock`, `user.silence`, `setting.change`… */
  action: string;
  target: { type: LogTargetType; id?: number | null; label?: string };
  before?: unknown;
  after?: unknown;
  reason?: string;
  at?: Date;
}

/** Writes one line of the log; pass the transaction of the action so both land or neither. */
export async function logAction(db: Db, e: LogEntry): Promise<void> {
  await db
    .insertInto('staff_log')
    .values({
      actor_id: e.actorId,
      action: e.action,
      target_type: e.target.type,
      target_id: e.target.id ?? null,
      target_label: e.target.label ?? '',
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      reason: e.reason ?? '',
      created_at: e.at,
    })
    .execute();
}

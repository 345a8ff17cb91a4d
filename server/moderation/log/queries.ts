// Reads of the staff log for /mod/log: one query for a page of lines, newest first, paged by
// keyset on the id, whatever the filters (each filter has its index: migrations/0017_staff_log.ts).
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { LogTargetType } from '../../db/schema.ts';

export interface LogSelection {
  actorId?: number;
  action?: { value: string; prefix: boolean };
  target?: { type: LogTargetType; id?: number };
  before?: number;
}

/** The member a filter names, by username in any case. */
export function actorByUsername(db: Db, username: string) {
  return db.selectFrom('users').select(['id', 'username']).where(sql`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
}

/** `like` reads % and _ as wildcards: a prefix is matched as typed. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Up to `limit` lines, newest first, with the actor's name and, for members and categories
 * named as targets, their current username and slug (for a link; the label keeps the name the
 * target had when the action was taken).
 */
export function staffLogLines(db: Db, s: LogSelection, limit: number) {
  return db
    .selectFrom('staff_log as l')
    .innerJoin('users as a', 'a.id', 'l.actor_id')
    .leftJoin('users as tu', (j) => j.onRef('tu.id', '=', 'l.target_id').on('l.target_type', '=', 'user'))
    .leftJoin('categories as tc', (j) => j.onRef('tc.id', '=', 'l.target_id').on('l.target_type', '=', 'category'))
    .select([
      'l.id', 'l.action', 'l.target_type', 'l.target_id', 'l.target_label', 'l.before', 'l.after', 'l.reason', 'l.created_at',
      'a.username as actor', 'tu.username as target_username', 'tc.slug as target_slug',
    ])
    .$if(s.actorId !== undefined, (q) => q.where('l.actor_id', '=', s.actorId!))
    .$if(s.action !== undefined, (q) =>
      s.action!.prefix ? q.where('l.action', 'like', likePrefix(s.action!.value)) : q.where('l.action', '=', s.action!.value),
    )
    .$if(s.target !== undefined, (q) => q.where('l.target_type', '=', s.target!.type))
    .$if(s.target?.id !== undefined, (q) => q.where('l.target_id', '=', s.target!.id!))
    .$if(s.before !== undefined, (q) => q.where('l.id', '<', s.before!))
    .orderBy('l.id', 'desc')
    .limit(limit)
    .execute();
}

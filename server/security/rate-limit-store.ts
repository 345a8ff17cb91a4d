// A @fastify/rate-limit store over the `rate_limits` table, so that every app process counts
// against the same window. Only form posts that need limits use it (sign-in, registration,
// and later posting and flagging), so one upsert per such request is cheap.
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, result?: Result) => void;

export function pgRateLimitStore(db: Db) {
  return class PgRateLimitStore {
    // The plugin constructs the store with its options; children carry their route's prefix.
    constructor(_options?: unknown, private readonly prefix = '') {}

    // At run time the plugin passes its merged options with `routeInfo` (its types say otherwise).
    child(routeOptions: object) {
      const route = (routeOptions as { routeInfo?: { method: string | string[]; url: string } }).routeInfo;
      return new PgRateLimitStore(undefined, route ? `${route.method} ${route.url} ` : '');
    }

    incr(key: string, cb: Callback, timeWindow: number) {
      const k = this.prefix + key;
      // One statement: a window past its reset starts again at 1.
      sql<{ count: number; reset_at: Date }>`
        insert into rate_limits (key, count, reset_at)
        values (${k}, 1, now() + ${timeWindow} * interval '1 millisecond')
        on conflict (key) do update set
          count = case when rate_limits.reset_at <= now() then 1 else rate_limits.count + 1 end,
          reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
        returning count, reset_at`
        .execute(db)
        .then(({ rows: [row] }) => cb(null, { current: row.count, ttl: Math.max(0, row.reset_at.getTime() - Date.now()) }))
        .catch((err: Error) => cb(err));
    }

    read(key: string, cb: Callback) {
      db.selectFrom('rate_limits')
        .select(['count', 'reset_at'])
        .where('key', '=', this.prefix + key)
        .where('reset_at', '>', new Date())
        .executeTakeFirst()
        .then((row) => cb(null, { current: row?.count ?? 0, ttl: row ? row.reset_at.getTime() - Date.now() : 0 }))
        .catch((err: Error) => cb(err));
    }
  };
}

export async function deleteExpiredRateLimits(db: Db): Promise<void> {
  await db.deleteFrom('rate_limits').where('reset_at', '<=', new Date()).execute();
}

/** The sweep the security plugin runs every ten minutes: on a timer, a failure has only the log to reach. */
export async function sweepExpiredRateLimits(db: Db, log: Pick<FastifyBaseLogger, 'warn'>): Promise<void> {
  try {
    await deleteExpiredRateLimits(db);
  } catch (err) {
    log.warn({ err }, 'rate limits: could not delete the expired windows; the next sweep tries again');
  }
}

// How far a member has read a thread, and the thread views counter.
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** Records that `userId` has read `threadId` up to post number `upTo` (never backwards). */
export async function markThreadRead(db: Db, userId: number, threadId: number, upTo: number) {
  await db
    .insertInto('thread_reads')
    .values({ user_id: userId, thread_id: threadId, last_read_post_number: upTo })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'thread_id'])
        .doUpdateSet({ last_read_post_number: upTo, updated_at: new Date() })
        .where('thread_reads.last_read_post_number', '<', upTo),
    )
    .execute();
}

/**
 * Thread views, counted in memory and written in one statement every few seconds: a view is
 * not worth a write per page, and counts from several processes simply add up. A batch the
 * database refuses (a connection lost, a failover) stays for the next one.
 */
export class ViewCounter {
  private counts = new Map<number, number>();
  private timer: NodeJS.Timeout;

  constructor(
    private db: Db,
    private log: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    everyMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  add(threadId: number) {
    this.counts.set(threadId, (this.counts.get(threadId) ?? 0) + 1);
  }

  /** Writes the views counted so far; on a failure, logs it and keeps them for the next flush. */
  async flush() {
    if (!this.counts.size) return;
    // Views counted while this batch is written go to the next one.
    const batch = this.counts;
    this.counts = new Map();
    const rows = sql.join([...batch].map(([id, n]) => sql`(${id}::bigint, ${n}::int)`));
    try {
      await sql`update threads t set view_count = t.view_count + v.n from (values ${rows}) as v(id, n) where t.id = v.id`.execute(this.db);
    } catch (err) {
      for (const [id, n] of batch) this.counts.set(id, (this.counts.get(id) ?? 0) + n);
      const views = [...batch.values()].reduce((a, b) => a + b, 0);
      this.log.warn({ err, threads: batch.size, views }, 'thread views: the batch could not be written; kept for the next flush');
    }
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
    if (this.counts.size) this.log.error({ threads: this.counts.size }, 'thread views: the last batch could not be written before closing; those views are lost');
  }
}

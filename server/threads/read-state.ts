// How far a member has read a thread, and the thread views counter.
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
 * not worth a write per page, and counts from several processes simply add up.
 */
export class ViewCounter {
  private counts = new Map<number, number>();
  private timer: NodeJS.Timeout;

  constructor(
    private db: Db,
    everyMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), everyMs);
    this.timer.unref();
  }

  add(threadId: number) {
    this.counts.set(threadId, (this.counts.get(threadId) ?? 0) + 1);
  }

  async flush() {
    if (!this.counts.size) return;
    const batch = [...this.counts];
    this.counts.clear();
    const rows = sql.join(batch.map(([id, n]) => sql`(${id}::bigint, ${n}::int)`));
    await sql`update threads t set view_count = t.view_count + v.n from (values ${rows}) as v(id, n) where t.id = v.id`.execute(this.db);
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
  }
}

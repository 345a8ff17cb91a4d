// The facts ranks read of a member's visits and reading, counted in memory in each process and
// written to member_days in one statement every few seconds (and on close), like thread views
// (server/threads/read-state.ts): a page view is not worth a write, and the counts of several
// processes simply add up in the upsert.
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

interface DayCounts {
  userId: number;
  day: string;
  readingSeconds: number;
  postsRead: number;
  threadsEntered: number;
}

/**
 * Reading time is estimated on the server from the time between a member's successive thread
 * pages in this process, each gap counted up to READ_CAP_SECONDS: the page before the next one
 * was being read for that long, unless the member was away, which a cap of a few minutes keeps
 * from counting as hours. The browser is not asked (no script, no beacon: pages work without
 * JavaScript and a timer in it is easy to fake), and a per-post guess would count a skimmed
 * page of twenty posts as long as a page read through. The first page of a visit counts nothing.
 */
export const READ_CAP_SECONDS = 180;
/** A member whose last thread page is older than this starts a new visit: their gap is not remembered. */
const VISIT_GAP_MS = 60 * 60 * 1000;

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

export class MemberDays {
  private counts = new Map<string, DayCounts>();
  /** Days already written for a member by this process: a visit to them needs no write of its own. */
  private written = new Set<string>();
  private writtenDay = '';
  /** When each member last opened a thread page here (ms). */
  private lastPage = new Map<number, number>();
  private timer: NodeJS.Timeout;

  constructor(
    private db: Db,
    private log: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    /** The app's clock (app.now), which the moments given to visit and read come from. */
    private now: () => Date,
    everyMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  private entry(userId: number, day: string): DayCounts {
    const key = `${userId}:${day}`;
    let e = this.counts.get(key);
    if (!e) this.counts.set(key, (e = { userId, day, readingSeconds: 0, postsRead: 0, threadsEntered: 0 }));
    return e;
  }

  /** A signed-in member was here at `at`: the day counts as visited. */
  visit(userId: number, at: Date) {
    const day = dayOf(at);
    if (!this.written.has(`${userId}:${day}`)) this.entry(userId, day);
  }

  /**
   * A signed-in member opened a thread page at `at`: `entered`, a thread they had never opened;
   * `postsRead`, posts they had not read before shown on it.
   */
  read(userId: number, at: Date, { entered, postsRead }: { entered: boolean; postsRead: number }) {
    const e = this.entry(userId, dayOf(at));
    const now = at.getTime();
    const last = this.lastPage.get(userId);
    this.lastPage.set(userId, now);
    if (last !== undefined && now > last && now - last < VISIT_GAP_MS) e.readingSeconds += Math.min(READ_CAP_SECONDS, Math.round((now - last) / 1000));
    if (entered) e.threadsEntered++;
    if (postsRead > 0) e.postsRead += postsRead;
  }

  /** Writes what was counted so far; on a failure, logs it and keeps it for the next flush. */
  async flush() {
    this.forgetOldVisits();
    if (!this.counts.size) return;
    // What is counted while this batch is written goes to the next one.
    const batch = this.counts;
    this.counts = new Map();
    const rows = sql.join(
      [...batch.values()].map((e) => sql`(${e.userId}::bigint, ${e.day}::date, ${e.readingSeconds}::int, ${e.postsRead}::int, ${e.threadsEntered}::int)`),
    );
    try {
      // Through users: a member deleted since their visit is left out rather than failing the batch for ever.
      await sql`
        insert into member_days (user_id, day, reading_seconds, posts_read, threads_entered)
        select v.user_id, v.day, v.seconds, v.posts, v.threads
        from (values ${rows}) as v(user_id, day, seconds, posts, threads)
        join users u on u.id = v.user_id
        on conflict (user_id, day) do update set
          reading_seconds = member_days.reading_seconds + excluded.reading_seconds,
          posts_read = member_days.posts_read + excluded.posts_read,
          threads_entered = member_days.threads_entered + excluded.threads_entered`.execute(this.db);
      for (const key of batch.keys()) this.written.add(key);
    } catch (err) {
      for (const e of batch.values()) {
        const kept = this.entry(e.userId, e.day);
        kept.readingSeconds += e.readingSeconds;
        kept.postsRead += e.postsRead;
        kept.threadsEntered += e.threadsEntered;
      }
      this.log.warn({ err, rows: batch.size }, 'member days: the batch could not be written; kept for the next flush');
    }
  }

  /** Forgets the days written before today, and members whose last thread page is a visit ago. */
  private forgetOldVisits() {
    const now = this.now();
    const today = dayOf(now);
    if (today !== this.writtenDay) {
      this.written.clear();
      this.writtenDay = today;
    }
    const before = now.getTime() - VISIT_GAP_MS;
    for (const [userId, at] of this.lastPage) if (at < before) this.lastPage.delete(userId);
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
    if (this.counts.size) this.log.error({ rows: this.counts.size }, 'member days: the last batch could not be written before closing; those visits and reading are lost');
  }
}

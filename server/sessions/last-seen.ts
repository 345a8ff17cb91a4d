// When each signed-in session was last seen, for the account page's list of sessions. A page view
// is no write: a session's row is stamped at most once every STAMP_EVERY, and the stamp is not
// announced on the change bus (migrations/0036), so it does not make any process read the
// member's kept session again.
//
// The session's stamp comes along when the session is read (server/sessions/store.ts), and each
// process remembers when it last stamped a session (a bounded number of them), so a page view
// costs no query here unless a stamp is due; the update itself only writes when the stored stamp
// is older than the interval, so that several processes serving one member still write once per
// interval between them.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';

export const STAMP_EVERY = 5 * 60 * 1000;
const REMEMBERED = 10_000;

export class LastSeen {
  private stamped = new Map<string, number>();

  constructor(
    private db: Db,
    private log: Pick<FastifyBaseLogger, 'warn'>,
    private now: () => Date,
  ) {}

  /** `loaded`: the stamp as the session was read (a kept session's may be older than this process's own). */
  async stamp(sessionId: string, loaded: Date | undefined) {
    const now = this.now();
    const last = Math.max(this.stamped.get(sessionId) ?? -Infinity, loaded?.getTime() ?? -Infinity);
    if (now.getTime() - last < STAMP_EVERY) return;
    // Oldest first out: a map keeps its insertion order, and a stamped session goes to its end.
    this.stamped.delete(sessionId);
    if (this.stamped.size >= REMEMBERED) this.stamped.delete(this.stamped.keys().next().value!);
    this.stamped.set(sessionId, now.getTime());
    try {
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: now })
        .where('id', '=', sessionId)
        .where('last_seen_at', '<', new Date(now.getTime() - STAMP_EVERY))
        .execute();
    } catch (err) {
      // A stamp missed is a "last seen" a few minutes old; the page is worth more than it.
      this.log.warn({ err }, 'sessions: could not stamp when a session was last seen');
    }
  }
}

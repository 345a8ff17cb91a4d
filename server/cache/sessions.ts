// Signed-in members' sessions, with the member loaded along (server/sessions/store.ts reads and
// writes them; this keeps them). A session is kept until anything it carries changes, as its
// reader says by the scopes of its snapshot: the member's account, sessions and notifications
// (user:<id>), the queue for moderators, any post's or thread's visibility (viewers: the unread
// count leaves out posts no longer public). Switched by cache.sessions.
import type { Viewer } from '../permissions.ts';
import type { ChangeBus } from './change-bus.ts';
import { Kept, type Snapshot } from './kept.ts';

export interface KeptSession {
  /** What the session holds, as stored. */
  data: object;
  /** The member, frozen: the same object until anything on it changes (member-parts keys on it). */
  viewer: Readonly<Viewer>;
  expires: Date;
  /**
   * When the session was last seen as it was read: a last-seen stamp is not announced, so this
   * may be older than the row's (server/sessions/last-seen.ts remembers its own stamps).
   */
  lastSeen?: Date;
}

export class KeptSessions {
  private sessions: Kept<KeptSession>;

  constructor(bus: ChangeBus, on: boolean) {
    this.sessions = new Kept(bus, on);
  }

  /** Whether sessions are kept at all (cache.sessions). */
  get on() {
    return this.sessions.on;
  }

  /** Taken before a session is read: these scopes as of now (more may be added once the member is known). */
  snapshot(scopes: string[]): Snapshot {
    return this.sessions.snapshot(scopes);
  }

  find(sessionId: string): KeptSession | undefined {
    return this.sessions.find(sessionId);
  }

  keep(sessionId: string, session: KeptSession, snapshot: Snapshot) {
    this.sessions.keep(sessionId, session, snapshot);
  }

  /** A session this process writes or ends. */
  forget(sessionId: string) {
    this.sessions.forget(sessionId);
  }
}

// @fastify/session store over the `sessions` table. The signed-in member's id is kept in its
// own column too, so that all of a member's sessions can be ended at once (suspension), and so
// that loading a session brings the member along in the same query (VIEWER_KEY): a signed-in
// page costs one round trip less.
//
// A signed-in member's session is kept in memory too (server/cache/sessions.ts), until anything
// it carries changes: their account, their sessions, their notifications (user:<id>), the queue
// (moderators), a post's or thread's visibility (the unread count leaves out posts no longer
// public) — announced on the change bus (migrations/0024) like the pages' changes. While the
// change bus is not listening, or with `cache.sessions` off, every page reads its session.
import { sql } from 'kysely';
import { roles, rolesFrom, type Viewer } from '../permissions.ts';
import type { Session } from 'fastify';
import type { Db } from '../db/index.ts';
import { shownNotification } from '../access/notifications.ts';
import type { Caches } from '../cache/index.ts';
import type { KeptSession, KeptSessions } from '../cache/sessions.ts';

/**
 * A role's place in the order of roles (permissions.ts: each includes those before it), in SQL,
 * for the rules the session's own query answers about its member.
 */
const roleOrder = (column: string) => sql<number>`array_position(${sql.lit(`{${roles.join(',')}}`)}::text[], ${sql.ref(column)})`;

type Callback<T = void> = (err?: Error | null, value?: T) => void;
interface StoredSession {
  userId?: number;
  cookie?: { expires?: string | Date | null };
  [SIGNED_IN_FROM]?: SignedInFrom;
}

/** Where a session was signed in from: kept in the row's own columns (migrations/0036), not in its data. */
export interface SignedInFrom {
  userAgent: string | null;
  address: string;
}

/** Set on a session as the member signs in; written to the row with the session, then dropped from it. */
export const SIGNED_IN_FROM = 'signedInFrom';

const DAY = 24 * 60 * 60 * 1000;

/** Where a loaded session carries its member (never stored). */
export const VIEWER_KEY = 'loadedViewer';
/** Where a loaded session carries when it was last seen, as stored (never stored from here: server/sessions/last-seen.ts). */
export const SEEN_KEY = 'loadedLastSeen';

/**
 * The member loaded with a session, frozen, and left out when @fastify/session hashes the session
 * to see whether a request changed it (twice on every request: as it is loaded, and before the
 * answer): the member is never stored, and stringifying them took two thirds of each hash.
 */
function unhashed<T extends object>(member: T): Readonly<T> {
  return Object.freeze(Object.defineProperty(member, 'toJSON', { value: () => undefined }));
}

/** A new session object each time (the session layer may change it), sharing the frozen member. */
const restore = (kept: KeptSession) =>
  ({ ...kept.data, cookie: { ...(kept.data as StoredSession).cookie }, [VIEWER_KEY]: kept.viewer, [SEEN_KEY]: kept.lastSeen }) as unknown as Session;

export class SessionStore {
  private kept: KeptSessions | null;

  constructor(
    private db: Db,
    caches: Caches | null = null,
  ) {
    this.kept = caches?.sessions.on ? caches.sessions : null;
  }

  get(id: string, cb: Callback<Session | null>) {
    const kept = this.kept?.find(id);
    if (kept && kept.expires > new Date()) return cb(null, restore(kept));
    const snapshot = this.kept?.snapshot(['viewers']);
    this.db
      .selectFrom('sessions as s')
      .leftJoin('users as u', 'u.id', 's.user_id')
      .select((eb) => [
        's.data',
        'u.id',
        'u.username',
        'u.role',
        'u.rank',
        // The unread count rides along: the navigation shows it on every page.
        eb
          .selectFrom('notifications as n')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('n.user_id', '=', 's.user_id')
          .where('n.read_at', 'is', null)
          // Not about posts that are no longer public (server/notifications/queries.ts).
          .where(shownNotification)
          .as('unread'),
        'u.silenced_until',
        'u.suspended_until',
        // The site banner they dismissed: every page asks (server/views/index.ts).
        'u.dismissed_banner_id',
        // The categories that let the member in by name (an invite's), for the routes' own checks
        // (canReadCategory); lists ask category_members themselves.
        eb
          .selectFrom('category_members as cm')
          .select(sql<number[]>`coalesce(array_agg(cm.category_id::int), '{}')`.as('ids'))
          .whereRef('cm.user_id', '=', 's.user_id')
          .as('member_of'),
        's.expires_at',
        's.last_seen_at',
        // Moderators see the queue's open items in the navigation: those they may act on, so not
        // items from a category whose role they lack (moderators are not held back by rank), nor
        // appeals they may not decide (their own, or of a member not below their role). The
        // same rule as openItemCount (server/moderation/items.ts).
        eb
          .case()
          .when('u.role', 'in', rolesFrom('moderator'))
          .then(
            eb
              .selectFrom('queue_items as q')
              .leftJoin('categories as qc', 'qc.id', 'q.category_id')
              .select(sql<number>`count(*)::int`.as('n'))
              .where('q.status', '=', 'open')
              .where(sql<boolean>`(qc.read_role is null or ${roleOrder('qc.read_role')} <= ${roleOrder('u.role')})`)
              .where(sql<boolean>`(q.appeal_id is null or exists (
                select from appeals qa join users qu on qu.id = qa.user_id
                where qa.id = q.appeal_id and qu.id <> u.id
                  and ${roleOrder('qu.role')} < ${roleOrder('u.role')}))`),
          )
          .end()
          .as('queue'),
      ])
      .where('s.id', '=', id)
      .where('s.expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => {
        if (!row) return cb(null, null);
        const viewer: Viewer | null =
          row.id !== null && row.username !== null && row.role !== null && row.rank !== null
            ? unhashed({
                id: row.id, username: row.username, role: row.role, rank: row.rank, unread: row.unread ?? 0,
                silencedUntil: row.silenced_until, suspendedUntil: row.suspended_until, queue: row.queue ?? 0,
                dismissedBanner: row.dismissed_banner_id,
                ...(row.member_of?.length ? { memberOf: Object.freeze(row.member_of) } : {}),
              })
            : null;
        // Only members' sessions are kept: what a guest's holds is not announced by anyone.
        if (viewer && snapshot && this.kept) {
          snapshot.scopes.push(`user:${viewer.id}`, ...(row.queue !== null ? ['queue'] : []));
          this.kept.keep(id, { data: row.data as StoredSession, viewer, expires: row.expires_at, lastSeen: row.last_seen_at }, snapshot);
        }
        cb(null, { ...(row.data as object), [VIEWER_KEY]: viewer, [SEEN_KEY]: row.last_seen_at } as unknown as Session);
      }, cb);
  }

  set(id: string, session: StoredSession, cb: Callback) {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + DAY);
    // The member loaded with the session is not part of it.
    // Nor where it was signed in from, which has columns of its own, written only when just set.
    const { [VIEWER_KEY]: _viewer, [SEEN_KEY]: _seen, [SIGNED_IN_FROM]: from, ...data } = session as StoredSession & { [VIEWER_KEY]?: unknown; [SEEN_KEY]?: unknown };
    const row = {
      data: JSON.stringify(data),
      expires_at: expires,
      user_id: session.userId ?? null,
      ...(from ? { user_agent: from.userAgent, address: from.address } : {}),
    };
    this.kept?.forget(id);
    this.db
      .insertInto('sessions')
      .values({ id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute()
      .then(() => cb(), cb);
  }

  destroy(id: string, cb: Callback) {
    this.kept?.forget(id);
    this.db
      .deleteFrom('sessions')
      .where('id', '=', id)
      .execute()
      .then(() => cb(), cb);
  }
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

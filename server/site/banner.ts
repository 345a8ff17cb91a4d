// The site banner: one at a time, the newest not removed, shown on every page until its end or
// until the reader dismisses it. Members' dismissals are kept on their row (dismissed_banner_id,
// loaded with their session); a guest's in a cookie holding the id they dismissed. A new banner
// has a new id, so a dismissal never hides the next one.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { logAction } from '../moderation/log/write.ts';
import { cook } from '../text/cook.ts';

export const BANNER_MAX = 2000;
/** The guest's cookie: the id of the banner they dismissed. */
export const BANNER_COOKIE = 'hearth_banner';

export interface Banner {
  id: number;
  body: string;
  html: string;
  endsAt: Date | null;
}

export async function currentBanner(db: Db): Promise<Banner | null> {
  const row = await db
    .selectFrom('banners')
    .select(['id', 'body', 'body_cooked', 'ends_at'])
    .where('removed_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, body: row.body, html: row.body_cooked, endsAt: row.ends_at } : null;
}

/**
 * Publishes a banner in place of the one in force (which is removed with it), and logs it, in
 * one transaction. The statement trigger announces the change to every process (migrations/0042).
 */
export async function publishBanner(db: Db, b: { body: string; endsAt: Date | null; by: number; at: Date }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const before = await currentBanner(tx);
    if (before) await tx.updateTable('banners').set({ removed_at: b.at, removed_by: b.by }).where('id', '=', before.id).execute();
    const { id } = await tx
      .insertInto('banners')
      .values({ body: b.body, body_cooked: cook(b.body), ends_at: b.endsAt, created_by: b.by, created_at: b.at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: b.by,
      action: 'banner.publish',
      // The staff log's targets are fixed by its check; a banner is a setting of the site's.
      target: { type: 'setting', id, label: 'banner' },
      before: before && { body: before.body, ends_at: before.endsAt },
      after: { body: b.body, ends_at: b.endsAt },
      at: b.at,
    });
    return id;
  });
}

/** Removes the banner in force, logged; false when there was none. */
export async function removeBanner(db: Db, by: number, at: Date): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const before = await currentBanner(tx);
    if (!before) return false;
    await tx.updateTable('banners').set({ removed_at: at, removed_by: by }).where('id', '=', before.id).execute();
    await logAction(tx, {
      actorId: by,
      action: 'banner.remove',
      target: { type: 'setting', id: before.id, label: 'banner' },
      before: { body: before.body, ends_at: before.endsAt },
      at,
    });
    return true;
  });
}

/** A member dismisses this banner: remembered on their row (announced, so their session is read again). */
export async function dismissForMember(db: Db, userId: number, bannerId: number) {
  await db.updateTable('users').set({ dismissed_banner_id: bannerId }).where('id', '=', userId).execute();
}

/** The banner this guest dismissed, from their cookie; undefined when none (or not an id). */
export function guestDismissed(req: FastifyRequest): number | undefined {
  const raw = req.cookies[BANNER_COOKIE];
  return raw !== undefined && /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The key a guest's kept page is filed under: its address, and the banner the guest dismissed,
 * if any. Guests' pages are kept whole (server/cache/guest-pages.ts), banner included, so one who
 * dismissed it is served a copy without it, kept apart from everyone else's, and rendered from
 * the cookie alone: the key says all a guest's page depends on, and is known before any lookup.
 * An old dismissal (of a banner no longer in force) files a copy that shows the current banner,
 * the same as everyone else's: right, at the price of a second copy.
 */
export function guestPageKey(req: FastifyRequest): string {
  const dismissed = guestDismissed(req);
  return dismissed === undefined ? req.url : `${req.url}\u0000banner-dismissed:${dismissed}`;
}

// What the badge pages read, and staff's grants and revocations by hand.
import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.ts';
import { visiblePosts } from '../access/posts.ts';
import { logAction } from '../moderation/log/write.ts';
import type { Viewer } from '../permissions.ts';
import type { Database } from '../db/schema.ts';
import { badgeBySlug, type Badge } from './definitions.ts';
import { badgeLink, badgeMessage } from './grant.ts';

/** How many members hold each badge (revoked grants left out; a badge held twice counts its member once). */
export async function holderCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('user_badges')
    .select(['badge', sql<number>`count(distinct user_id)::int`.as('n')])
    .where('revoked_at', 'is', null)
    .groupBy('badge')
    .execute();
  return new Map(rows.map((r) => [r.badge, r.n]));
}

export const HOLDERS_PER_PAGE = 50;

/** Where a page of holders starts: after this grant, in the order newest first. */
export interface HoldersCursor {
  at: Date;
  id: number;
}

/**
 * A page of a badge's holders, newest grant first, keyset paged (a grant's time and id), with
 * the post a per-post grant was for when the viewer may open it.
 */
export async function holdersOf(db: Db, viewer: Viewer | null, slug: string, after: HoldersCursor | null) {
  const rows = await db
    .selectFrom('user_badges as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('posts as bp', 'bp.id', 'b.post_id')
    .leftJoin('threads as bt', 'bt.id', 'bp.thread_id')
    .select(['b.id', 'b.granted_at', 'b.post_id', 'b.granted_by', 'u.id as user_id', 'u.username', 'u.rank', 'bt.title as thread_title'])
    .select((eb) =>
      eb
        .exists(visiblePosts(db, viewer).select('p.id').where('p.id', '=', sql<number>`b.post_id`))
        .as('post_visible'),
    )
    .where('b.badge', '=', slug)
    .where('b.revoked_at', 'is', null)
    .$if(after !== null, (qb) => qb.where(sql<boolean>`(b.granted_at, b.id) < (${after!.at}::timestamptz, ${after!.id}::bigint)`))
    .orderBy('b.granted_at', 'desc')
    .orderBy('b.id', 'desc')
    .limit(HOLDERS_PER_PAGE + 1)
    .execute();
  const more = rows.length > HOLDERS_PER_PAGE;
  const page = rows.slice(0, HOLDERS_PER_PAGE).map((r) => ({
    id: r.id,
    granted_at: r.granted_at,
    by_hand: r.granted_by !== null,
    user_id: r.user_id,
    username: r.username,
    rank: r.rank,
    post_id: r.post_visible ? r.post_id : null,
    thread_title: r.post_visible ? r.thread_title : null,
  }));
  const last = page.at(-1);
  return { holders: page, next: more && last ? { at: last.granted_at, id: last.id } : null };
}

/**
 * A member's badges as a column of their row (`badges`): each badge they hold, how many times,
 * and when they last earned it, newest first; read in the query that reads the member, so a
 * profile costs no query more for them.
 */
export function heldBadges(userId: 'u.id') {
  return (eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>) =>
    jsonArrayFrom(
      eb
        .selectFrom('user_badges as b')
        .select(['b.badge', sql<number>`count(*)::int`.as('times'), sql<string>`max(b.granted_at)`.as('granted_at')])
        .whereRef('b.user_id', '=', userId)
        .where('b.revoked_at', 'is', null)
        .groupBy('b.badge')
        .orderBy(sql`max(b.granted_at)`, 'desc'),
    ).as('badges');
}

/** A member's badges as their profile shows them: each with its name and tier, in the order held. */
export function profileBadges(held: { badge: string; times: number; granted_at: string }[]) {
  return held.flatMap((h) => {
    const badge = badgeBySlug.get(h.badge);
    return badge ? [{ slug: badge.slug, name: badge.name, tier: badge.tier, times: h.times, granted_at: new Date(h.granted_at) }] : [];
  });
}

export type HandResult = { ok: true } | { ok: false; field: 'username' | 'reason'; message: string };

/**
 * Staff grant a badge by hand, with a reason, logged. A badge held once is refused to a member
 * who holds it; one a member may earn again gets a grant of its own (a negative grant key, so
 * that it never takes the place a rule's grant of a post or a year would).
 */
export async function grantByHand(db: Db, badge: Badge, e: { username: string; reason: string; by: number; now: Date }): Promise<HandResult> {
  return db.transaction().execute(async (tx) => {
    const member = await tx.selectFrom('users').select(['id', 'username']).where(sql`lower(username)`, '=', e.username.toLowerCase()).forUpdate().executeTakeFirst();
    if (!member) return { ok: false, field: 'username', message: `There is no member called “${e.username}”.` };
    const held = await tx
      .selectFrom('user_badges')
      .select(['id', 'grant_key', 'revoked_at'])
      .where('user_id', '=', member.id)
      .where('badge', '=', badge.slug)
      .execute();
    let key = 0;
    if (badge.multiple) {
      key = Math.min(0, ...held.map((h) => h.grant_key)) - 1;
    } else if (held.some((h) => h.revoked_at === null)) {
      return { ok: false, field: 'username', message: `${member.username} already holds “${badge.name}”.` };
    }
    const revoked = held.find((h) => h.grant_key === key && h.revoked_at !== null);
    const granted = revoked
      ? await tx
          .updateTable('user_badges')
          .set({ revoked_at: null, revoked_by: null, granted_at: e.now, granted_by: e.by, reason: e.reason, post_id: null })
          .where('id', '=', revoked.id)
          .returning('id')
          .executeTakeFirstOrThrow()
      : await sql<{ id: number }>`
          insert into user_badges (user_id, badge, grant_key, granted_at, granted_by, reason)
          values (${member.id}, ${badge.slug}, ${key}, ${e.now}, ${e.by}, ${e.reason}) returning id`
          .execute(tx)
          .then((r) => r.rows[0]!);
    await tx
      .insertInto('notifications')
      .values({ user_id: member.id, kind: 'badge', message: badgeMessage(badge), link: badgeLink(badge.slug), actor_id: e.by, created_at: e.now })
      .execute();
    await logAction(tx, {
      actorId: e.by,
      action: 'badge.grant',
      target: { type: 'badge', id: granted.id, label: `${badge.name} → ${member.username}` },
      after: { badge: badge.slug, member: member.username },
      reason: e.reason,
      at: e.now,
    });
    return { ok: true };
  });
}

/** Staff take back one grant, with a reason, logged; its row stays (revoked) so no rule grants it again. */
export async function revokeGrant(db: Db, badge: Badge, e: { grantId: number; reason: string; by: number; now: Date }): Promise<{ username: string } | null> {
  return db.transaction().execute(async (tx) => {
    const grant = await tx
      .updateTable('user_badges as b')
      .from('users as u')
      .set({ revoked_at: e.now, revoked_by: e.by })
      .whereRef('u.id', '=', 'b.user_id')
      .where('b.id', '=', e.grantId)
      .where('b.badge', '=', badge.slug)
      .where('b.revoked_at', 'is', null)
      .returning(['b.id', 'u.username'])
      .executeTakeFirst();
    if (!grant) return null;
    await logAction(tx, {
      actorId: e.by,
      action: 'badge.revoke',
      target: { type: 'badge', id: grant.id, label: `${badge.name} ← ${grant.username}` },
      before: { badge: badge.slug, member: grant.username },
      reason: e.reason,
      at: e.now,
    });
    return { username: grant.username };
  });
}

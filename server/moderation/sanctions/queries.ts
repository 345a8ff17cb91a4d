// Sanctions: the record (the sanctions table) and its mirror on the member's row
// (silenced_until, suspended_until, banned_at), which the checks on every post and every page
// read without a join. Every write here runs in the caller's transaction.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { SanctionKind } from '../../db/schema.ts';
import { notice } from '../../notifications/queries.ts';
import { endSessionsOf } from '../../sessions/index.ts';
import { logAction } from '../log/write.ts';
import { endText, kindWords, sanctionMessage, type SanctionInput } from './rules.ts';

/** The member a sanction form is about. */
export function memberToSanction(db: Db, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'rank', 'silenced_until', 'suspended_until', 'banned_at'])
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

/**
 * Sets the member's mirror from the sanctions not lifted: the latest end of their silences and
 * suspensions, and whether a ban stands. An ended sanction leaves a past date, which every check
 * reads as over; so nothing has to run when a sanction reaches its end.
 */
export async function syncStanding(tx: Db, userId: number) {
  await tx
    .updateTable('users')
    .set((eb) => {
      const active = (kind: SanctionKind) =>
        eb.selectFrom('sanctions').where('user_id', '=', userId).where('kind', '=', kind).where('lifted_at', 'is', null);
      return {
        silenced_until: active('silence').select((s) => s.fn.max('ends_at').as('e')),
        suspended_until: active('suspend').select((s) => s.fn.max('ends_at').as('e')),
        banned_at: active('ban').select((s) => s.fn.min('starts_at').as('e')),
      };
    })
    .where('id', '=', userId)
    .execute();
}

/**
 * Sanctions a member: the record, the mirror, the notice, the log line. A suspension or a ban
 * also ends the member's sessions, so they are signed out everywhere at once.
 */
export async function imposeSanction(
  tx: Db,
  s: SanctionInput & { member: { id: number; username: string }; by: number; at: Date },
) {
  const row = await tx
    .insertInto('sanctions')
    .values({ user_id: s.member.id, kind: s.kind, reason: s.reason, starts_at: s.at, ends_at: s.endsAt, created_by: s.by })
    .returning(['id', 'kind', 'reason', 'starts_at', 'ends_at'])
    .executeTakeFirstOrThrow();
  await syncStanding(tx, s.member.id);
  if (s.kind === 'suspend' || s.kind === 'ban') await endSessionsOf(tx, s.member.id);
  await notice(tx, { userId: s.member.id, kind: 'sanction', message: sanctionMessage(row) });
  await logAction(tx, {
    actorId: s.by,
    action: `user.${s.kind}`,
    target: { type: 'user', id: s.member.id, label: s.member.username },
    after: { sanction: row.id, kind: s.kind, ends_at: s.endsAt },
    reason: s.reason,
    at: s.at,
  });
  return row;
}

/** Sanctions (as `s`) with what every page about them shows: the sanction and its appeal, if any. */
function sanctionsWithAppeals(db: Db) {
  return db
    .selectFrom('sanctions as s')
    .leftJoin('appeals as a', 'a.sanction_id', 's.id')
    .select(['s.id', 's.kind', 's.reason', 's.starts_at', 's.ends_at', 'a.id as appeal_id', 'a.created_at as appealed_at', 'a.outcome as appeal_outcome']);
}

/** A sanction with its member and appeal, for lifting, appealing and the pages about it. */
export function sanctionById(db: Db, id: number) {
  return sanctionsWithAppeals(db)
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.user_id', 's.lifted_at', 'u.username', 'u.role'])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

/**
 * Lifts a sanction before its end. Answers undefined when it was lifted already (two moderators
 * at once: one lifts it, the other is told), so the member hears of it and the log says it once.
 */
export async function liftSanction(tx: Db, l: { sanctionId: number; by: number; at: Date; reason?: string; log?: boolean }) {
  const lifted = await tx
    .updateTable('sanctions')
    .set({ lifted_at: l.at, lifted_by: l.by })
    .where('id', '=', l.sanctionId)
    .where('lifted_at', 'is', null)
    .returning(['id', 'user_id', 'kind', 'ends_at'])
    .executeTakeFirst();
  if (!lifted) return undefined;
  await syncStanding(tx, lifted.user_id);
  if (l.log !== false) {
    const member = await tx.selectFrom('users').select('username').where('id', '=', lifted.user_id).executeTakeFirstOrThrow();
    await notice(tx, {
      userId: lifted.user_id,
      kind: 'sanction',
      message: `A moderator lifted your ${kindWords[lifted.kind].noun}${lifted.ends_at ? ` (it was to last ${endText(lifted)})` : ''}.`,
    });
    await logAction(tx, {
      actorId: l.by,
      action: 'sanction.lift',
      target: { type: 'sanction', id: lifted.id, label: member.username },
      before: { kind: lifted.kind, ends_at: lifted.ends_at, lifted_at: null },
      after: { lifted_at: l.at },
      reason: l.reason ?? '',
      at: l.at,
    });
  }
  return lifted;
}

/** A member's sanctions, newest first, with their appeals: for the member's own page and for moderators. */
export function sanctionsOf(db: Db, userId: number) {
  return sanctionsWithAppeals(db)
    .innerJoin('users as m', 'm.id', 's.created_by')
    .select(['s.lifted_at', 'm.username as created_by'])
    .where('s.user_id', '=', userId)
    .orderBy('s.starts_at', 'desc')
    .orderBy('s.id', 'desc')
    .execute();
}

/**
 * The sanction that keeps a member from signing in now: a ban before any suspension, then the
 * suspension that lasts longest. With its appeal, for the page the member sees instead.
 */
export function sanctionBarringSignIn(db: Db, userId: number, now: Date) {
  return sanctionsWithAppeals(db)
    .where('s.user_id', '=', userId)
    .where('s.lifted_at', 'is', null)
    .where((eb) => eb.or([eb('s.kind', '=', 'ban'), eb.and([eb('s.kind', '=', 'suspend'), eb('s.ends_at', '>', now)])]))
    .orderBy(sql`s.kind = 'ban'`, 'desc')
    .orderBy('s.ends_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

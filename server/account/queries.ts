// The account page's reads and writes: the member's password, their sessions, their sign-ins
// (written as they happen by server/accounts, recordSignIn).
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** How long a sign-in stays on the member's record. */
export const SIGN_INS_KEPT_DAYS = 90;
/** How many of them the account page shows. */
export const SIGN_INS_SHOWN = 20;

export async function passwordHashOf(db: Db, userId: number): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash;
}

/**
 * A new password, and every session of the member but this one ended, at once: a password
 * changed because it leaked must not leave the intruder's session open. Deleting the rows is
 * announced (user:<id>, migrations/0024), so every process drops its kept copy of them.
 */
export async function changePassword(db: Db, userId: number, hash: string, keepSessionId: string) {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    await tx.deleteFrom('sessions').where('user_id', '=', userId).where('id', '<>', keepSessionId).execute();
  });
}

/** The member's live sessions, the one asking marked; never their ids, which are the cookies' secret. */
export function sessionsOf(db: Db, userId: number, currentSessionId: string) {
  return db
    .selectFrom('sessions')
    .select(['handle', 'user_agent', 'address', 'created_at', 'last_seen_at', sql<boolean>`id = ${currentSessionId}`.as('current')])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    // This one first, then the most recently seen.
    .orderBy(sql`id = ${currentSessionId}`, 'desc')
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/** Ends one of the member's sessions by its handle; the id of the session ended, or undefined when it is not theirs. */
export async function endSession(db: Db, userId: number, handle: string): Promise<string | undefined> {
  const row = await db.deleteFrom('sessions').where('user_id', '=', userId).where('handle', '=', handle).returning('id').executeTakeFirst();
  return row?.id;
}

export function recentSignIns(db: Db, userId: number, limit = SIGN_INS_SHOWN) {
  return db
    .selectFrom('sign_ins')
    .select(['at', 'address', 'user_agent'])
    .where('user_id', '=', userId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function deleteOldSignIns(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('sign_ins').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The daily sweep (a scheduled job, server/jobs): sign-ins past SIGN_INS_KEPT_DAYS go. */
export async function sweepOldSignIns(db: Db, log: Pick<FastifyBaseLogger, 'warn'>, now: () => Date): Promise<void> {
  try {
    await deleteOldSignIns(db, new Date(now().getTime() - SIGN_INS_KEPT_DAYS * 24 * 60 * 60 * 1000));
  } catch (err) {
    log.warn({ err }, 'sign-ins: could not delete the old sign-ins; the next sweep tries again');
  }
}

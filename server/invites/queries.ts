// Invites: links with a code, an expiry and a use limit, giving the invitee a role, the reading
// of a private category, or neither. Created and revoked by staff and admins, each with its line
// in the staff log; used by registering with the code (server/accounts/routes.ts), which takes
// one use in the registration's own transaction.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.ts';
import type { Role } from '../db/schema.ts';
import { invalid } from '../errors.ts';
import { logAction } from '../moderation/log/write.ts';
import { createAccount, type NewAccount } from '../accounts/queries.ts';
import type { PasswordCost } from '../accounts/passwords.ts';

/** A code is 18 random bytes, 24 base64url characters: not guessed, and short enough for a link. */
export const newInviteCode = () => randomBytes(18).toString('base64url');

export const INVITE_CODE = /^[A-Za-z0-9_-]{24}$/;

export interface NewInvite {
  createdBy: number;
  expiresAt: Date;
  maxUses: number;
  role: Role | null;
  categoryId: number | null;
  note: string;
}

export async function createInvite(db: Db, i: NewInvite, at: Date) {
  return db.transaction().execute(async (tx) => {
    const invite = await tx
      .insertInto('invites')
      .values({
        code: newInviteCode(), created_by: i.createdBy, created_at: at, expires_at: i.expiresAt, max_uses: i.maxUses,
        role: i.role, category_id: i.categoryId, note: i.note,
      })
      .returning(['id', 'code', 'expires_at', 'max_uses', 'role', 'category_id', 'note'])
      .executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: i.createdBy,
      action: 'invite.create',
      target: { type: 'invite', id: invite.id, label: invite.note || `invite ${invite.id}` },
      after: { expires_at: invite.expires_at, max_uses: invite.max_uses, role: invite.role, category_id: invite.category_id },
      at,
    });
    return invite;
  });
}

/** Revokes an invite: its link stops working at once. Undefined if there is none. */
export async function revokeInvite(db: Db, id: number, by: number, at: Date) {
  return db.transaction().execute(async (tx) => {
    const invite = await tx
      .updateTable('invites')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning(['id', 'note', 'used_count'])
      .executeTakeFirst();
    if (!invite) return tx.selectFrom('invites').select(['id', 'note', 'used_count']).where('id', '=', id).executeTakeFirst();
    await logAction(tx, {
      actorId: by,
      action: 'invite.revoke',
      target: { type: 'invite', id, label: invite.note || `invite ${id}` },
      before: { revoked: false, used_count: invite.used_count },
      after: { revoked: true },
      at,
    });
    return invite;
  });
}

/** The newest invites first, with who made them and who came in by each. */
export async function inviteList(db: Db, limit = 100) {
  const rows = await db
    .selectFrom('invites as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .leftJoin('categories as c', 'c.id', 'i.category_id')
    .select([
      'i.id', 'i.code', 'i.created_at', 'i.expires_at', 'i.max_uses', 'i.used_count', 'i.role', 'i.note', 'i.revoked_at',
      'u.username as created_by_name', 'c.name as category_name', 'c.slug as category_slug',
    ])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
  const uses = rows.length
    ? await db
      .selectFrom('invite_uses as iu')
      .innerJoin('users as u', 'u.id', 'iu.user_id')
      .select(['iu.invite_id', 'u.username'])
      .where('iu.invite_id', 'in', rows.map((r) => r.id))
      .orderBy('iu.used_at')
      .execute()
    : [];
  return rows.map((r) => ({ ...r, usedBy: uses.filter((u) => u.invite_id === r.id).map((u) => u.username) }));
}

/** An invite by its code, with whom it is from and the category it opens. */
export function inviteByCode(db: Db, code: string) {
  return db
    .selectFrom('invites as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .leftJoin('categories as c', 'c.id', 'i.category_id')
    .select([
      'i.id', 'i.code', 'i.expires_at', 'i.max_uses', 'i.used_count', 'i.role', 'i.category_id', 'i.revoked_at',
      'u.username as created_by_name', 'c.name as category_name',
    ])
    .where('i.code', '=', code)
    .executeTakeFirst();
}

/** Why an invite cannot be used now (null: it can), in the words the invitee reads. */
export function inviteRefusal(i: { expires_at: Date; max_uses: number; used_count: number; revoked_at: Date | null } | undefined, now: Date): string | null {
  if (!i || i.revoked_at) return 'This invite is not valid: ask whoever sent it for a new one.';
  if (i.expires_at <= now) return 'This invite has expired: ask whoever sent it for a new one.';
  if (i.used_count >= i.max_uses) return 'This invite has been used as many times as it allows.';
  return null;
}

/**
 * Registers a member by an invite, in one transaction: the account (with the invite's role), one
 * use of the invite, the category it opens, and who invited whom. The use is taken by a single
 * conditional update, so of two registrations racing for an invite's last use one wins; the
 * other finds no row left to take and is refused with nothing written.
 */
export async function registerByInvite(db: Db, account: NewAccount, code: string, cost: PasswordCost, now: Date) {
  const refused = () => invalid({ invite: inviteRefusal(undefined, now)! });
  if (!INVITE_CODE.test(code)) throw refused();
  const seen = await inviteByCode(db, code);
  const why = inviteRefusal(seen, now);
  if (why || !seen) throw invalid({ invite: why ?? inviteRefusal(undefined, now)! });
  return db.transaction().execute(async (tx) => {
    const user = await createAccount(tx, { ...account, role: seen.role ?? undefined }, cost);
    const taken = await tx
      .updateTable('invites')
      .set((eb) => ({ used_count: eb('used_count', '+', 1) }))
      .where('id', '=', seen.id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .whereRef('used_count', '<', 'max_uses')
      .returning(['id', 'role', 'category_id', 'created_by'])
      .executeTakeFirst();
    if (!taken) {
      const after = await tx.selectFrom('invites').select(['expires_at', 'max_uses', 'used_count', 'revoked_at']).where('id', '=', seen.id).executeTakeFirst();
      throw invalid({ invite: inviteRefusal(after, now) ?? 'This invite has been used as many times as it allows.' });
    }
    await tx.insertInto('invite_uses').values({ invite_id: taken.id, user_id: user.id, used_at: now }).execute();
    if (taken.category_id !== null) {
      await tx.insertInto('category_members').values({ category_id: taken.category_id, user_id: user.id, added_by: taken.created_by, created_at: now }).execute();
    }
    return user;
  });
}

/**
 * Who invited a member, and whom they invited, for the member's admin page: `invitedBy` the
 * inviter's name (null: they came without an invite, or the inviter is gone), `invited` the
 * members who came in by their invites, oldest first.
 */
export async function invitesOf(db: Db, userId: number) {
  const [by, invited] = await Promise.all([
    db
      .selectFrom('invite_uses as iu')
      .innerJoin('invites as i', 'i.id', 'iu.invite_id')
      .leftJoin('users as u', 'u.id', 'i.created_by')
      .select(['u.id', 'u.username', 'iu.used_at', 'i.id as invite_id'])
      .where('iu.user_id', '=', userId)
      .executeTakeFirst(),
    db
      .selectFrom('invites as i')
      .innerJoin('invite_uses as iu', 'iu.invite_id', 'i.id')
      .innerJoin('users as u', 'u.id', 'iu.user_id')
      .select(['u.id', 'u.username', 'iu.used_at'])
      .where('i.created_by', '=', userId)
      .orderBy('iu.used_at')
      .orderBy('u.id')
      .execute(),
  ]);
  return { invitedBy: by && by.username ? { id: by.id!, username: by.username, at: by.used_at } : null, invited };
}

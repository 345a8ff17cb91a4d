import { sql } from 'kysely';
import { isUniqueViolation, planEachCall, type Db } from '../db/index.ts';
import type { Role } from '../db/schema.ts';
import { invalid } from '../errors.ts';
import type { Viewer } from '../permissions.ts';
import { visibleThreads } from '../access/threads.ts';
import { latestReputationEvents } from '../reputation/queries.ts';
import { heldBadges } from '../badges/queries.ts';
import { hashPassword, type PasswordCost } from './passwords.ts';
import { registrationErrors, type Registration } from './rules.ts';
import type { SignedInFrom } from '../sessions/store.ts';

export interface NewAccount extends Registration {
  role?: Role;
  rank?: number;
  /** The rank was set by hand (`user:create --rank`): the rank review never moves it (server/ranks). */
  rankLocked?: boolean;
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Creates an account after checking every rule; throws HttpError(422) with field errors.
 * Uniqueness is checked first for a friendly message and enforced by the unique indexes.
 */
export async function createAccount(db: Db, input: NewAccount, cost: PasswordCost) {
  const errors = registrationErrors(input);
  if (!errors.username && (await usernameTaken(db, input.username))) errors.username = 'That username is taken.';
  if (!errors.email && (await emailTaken(db, input.email))) {
    errors.email = 'An account with this email already exists. Sign in instead?';
  }
  if (Object.keys(errors).length) throw invalid(errors);
  const password_hash = await hashPassword(input.password, cost);
  try {
    return await db
      .insertInto('users')
      .values({ username: input.username, email: input.email, password_hash, role: input.role, rank: input.rank, rank_locked: input.rankLocked })
      .returning(['id', 'username', 'role', 'rank'])
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Someone took the name between the check and the insert.
    const field = err.constraint === 'users_email_key' ? 'email' : 'username';
    throw invalid({
      [field]: field === 'email' ? 'An account with this email already exists.' : 'That username is taken.',
    });
  }
}

/** The account a login (username or email, any case) names. */
export function findByLogin(db: Db, login: string) {
  const key = login.toLowerCase();
  return db
    .selectFrom('users')
    // Standing too: a suspended or banned member is refused at sign-in (server/moderation/sanctions/routes.ts).
    .select(['id', 'username', 'role', 'rank', 'password_hash', 'suspended_until', 'banned_at'])
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', key), eb(sql`lower(email)`, '=', key)]))
    .executeTakeFirst();
}

export async function markSeen(db: Db, userId: number) {
  await db.updateTable('users').set({ last_seen_at: new Date() }).where('id', '=', userId).execute();
}

/** The id of the member with this username (any case), for the scopes a guest's copy of their profile is kept under. */
export async function memberId(db: Db, username: string): Promise<number | undefined> {
  // A deleted member (migrations/0043) has no profile any more.
  const row = await db.selectFrom('users').select('id').where(sql`lower(username)`, '=', username.toLowerCase()).where('deleted_at', 'is', null).executeTakeFirst();
  return row?.id;
}

export function profile(db: Db, username: string) {
  return db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.username',
      'u.role',
      'u.rank',
      'u.bio',
      // The profile (migrations/0039): the bio as cooked when saved, never rendered here.
      'u.display_name',
      'u.bio_cooked',
      'u.location',
      'u.website',
      'u.avatar',
      'u.created_at',
      'u.last_seen_at',
      // Counts shown to everyone count what everyone may read: hidden, held and deleted posts
      // (and posts in such threads), and whatever is in a category not open to all, are left out,
      // for their author and staff too. Triggers keep them on the member's row
      // (migrations/0023_member_counts.ts, 0026_public_counts.ts): counting here would read every
      // post the member wrote.
      'u.post_count',
      'u.thread_count',
      'u.reputation',
      // The latest reputation events come along in the same query (server/reputation/queries.ts).
      latestReputationEvents('u.id'),
      // And the badges held (server/badges/queries.ts).
      heldBadges('u.id'),
    ])
    .where(sql`lower(u.username)`, '=', username.toLowerCase())
    .where('u.deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * A member's latest threads, among those the viewer may see: the first few entries of
 * threads_user_listed (migrations/0023_member_counts.ts), whatever the member's number of threads.
 * Planned on each call: a kept generic plan guesses any member has a few threads, and reads and
 * sorts all of them (thousands for the busiest).
 */
export function recentThreadsBy(db: Db, userId: number, viewer: Viewer | null, limit = 10) {
  return visibleThreads(db, viewer)
    .select(['t.id', 't.title', 't.slug', 't.created_at', 't.reply_count'])
    .where('t.user_id', '=', userId)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .modifyEnd(planEachCall)
    .execute();
}

/** A sign-in (or a registration, which signs in), for the member's record on the account page (server/account). */
export async function recordSignIn(db: Db, userId: number, from: SignedInFrom) {
  await db.insertInto('sign_ins').values({ user_id: userId, address: from.address, user_agent: from.userAgent }).execute();
}

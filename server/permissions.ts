// The one place that answers "may this viewer do this?". Routes and templates both ask it.
import type { FlagReason, Role } from './db/schema.ts';

export const roles: readonly Role[] = ['member', 'moderator', 'staff', 'admin'];

export const rankNames = ['Newcomer', 'Member', 'Contributor', 'Advocate', 'Ambassador'] as const;

export interface Viewer {
  id: number;
  username: string;
  role: Role;
  rank: number;
  /** Unread notifications, loaded with the viewer. */
  unread?: number;
  /** Sanctions in force end at these (a past date means it has lifted). */
  silencedUntil?: Date | null;
  suspendedUntil?: Date | null;
  /** Open queue items, for moderators' navigation. */
  queue?: number;
}

/** Each role includes the ones before it: admin ⊇ staff ⊇ moderator ⊇ member. */
export function hasRole(viewer: Viewer | null, role: Role): boolean {
  return viewer !== null && roles.indexOf(viewer.role) >= roles.indexOf(role);
}

export type Action = 'view admin' | 'change role' | 'moderate' | 'see deleted' | 'pin' | 'lock' | 'see staff log'
  // Moderators' thread actions (close, unlist, move, merge, split, slow mode) and sanctions.
  | 'manage threads' | 'sanction'
  // The moderation settings and the watched words: rules for everyone, kept by admins.
  | 'change settings';
export type PostAction = 'edit post' | 'delete post' | 'see revisions' | 'like post' | 'flag post';

export interface PostFacts {
  user_id: number;
  deleted_at: Date | null;
  /** Hidden or held posts take no likes until they are public again. */
  hidden_at?: Date | null;
  pending_at?: Date | null;
}

/**
 * Public: neither deleted, hidden (by flags or a moderator) nor pending (held for approval). A
 * thread is public when its first post is. The same rule in SQL: publicPost (server/access/posts.ts).
 */
export function isPublic(p: Pick<PostFacts, 'deleted_at' | 'hidden_at' | 'pending_at'>): boolean {
  return !p.deleted_at && !p.hidden_at && !p.pending_at;
}

/** What decides whether a post, or a thread (which follows its first post), is shown to a viewer. */
export interface WithheldFacts {
  user_id: number;
  deleted_at: Date | null;
  hidden_at: Date | null;
  pending_at: Date | null;
}

/**
 * Whether the viewer may see this post, or open this thread: a public one, or their own hidden or
 * held one; moderators see everything, deleted ones too. The SQL of lists says the same:
 * readablePost (server/access/posts.ts).
 */
export function canSee(viewer: Viewer | null, p: WithheldFacts): boolean {
  if (hasRole(viewer, 'moderator')) return true;
  if (p.deleted_at) return false;
  return isPublic(p) || (viewer !== null && viewer.id === p.user_id);
}

export function can(viewer: Viewer | null, action: Action): boolean {
  switch (action) {
    case 'view admin':
    case 'change role':
    case 'change settings':
      return hasRole(viewer, 'admin');
    // Brand staff pin announcements; moderators lock threads.
    case 'pin':
      return hasRole(viewer, 'staff');
    case 'lock':
    case 'moderate':
    case 'manage threads':
    case 'sanction':
    // The record of staff actions is open to every member of staff, so each sees the others' work.
    case 'see staff log':
    // Deleted posts stay visible to the people who may need them as evidence.
    case 'see deleted':
      return hasRole(viewer, 'moderator');
  }
}

export function canOnPost(viewer: Viewer | null, action: PostAction, post: PostFacts): boolean {
  if (!viewer) return false;
  const own = viewer.id === post.user_id;
  switch (action) {
    case 'edit post':
    case 'delete post':
      return post.deleted_at === null && (own || hasRole(viewer, 'moderator'));
    case 'see revisions':
      return own || hasRole(viewer, 'moderator');
    case 'like post':
      return isPublic(post) && !own;
    // Members flag others' public posts (which reasons, by rank: flagReasonsFor).
    case 'flag post':
      return isPublic(post) && !own;
  }
}

/**
 * The flag reasons a member may raise. Newcomers (rank 0) may flag spam only: spam is what they
 * can tell at a glance, and a new account cannot bury an argument under flags. From rank 1
 * (Member) every reason, as Discourse opens flagging at its first trust level.
 */
export function flagReasonsFor(viewer: Viewer | null): FlagReason[] {
  if (!viewer) return [];
  return viewer.rank >= 1 || hasRole(viewer, 'moderator') ? ['spam', 'offensive', 'off_topic', 'other'] : ['spam'];
}

/**
 * Whom a moderator may sanction (and lift a sanction from): only someone of a lower role, and
 * never themselves, so no one can silence a peer or undo a sanction on their own account.
 */
export function canSanction(viewer: Viewer | null, target: { id: number; role: Role }): boolean {
  if (!viewer || !can(viewer, 'sanction') || viewer.id === target.id) return false;
  return roles.indexOf(viewer.role) > roles.indexOf(target.role);
}

/** Who may read a category and who may start threads in it. */
export interface CategoryAccess {
  read_role: Role | null;
  read_rank: number;
  post_role: Role;
  post_rank: number;
}

/**
 * Reading: a category open to all (no role, rank 0) is read by guests too; otherwise a member
 * needs the role (each role includes those before it) and the rank. Moderators and above are
 * not held back by rank: they must see what they moderate.
 */
export function canReadCategory(viewer: Viewer | null, c: Pick<CategoryAccess, 'read_role' | 'read_rank'>): boolean {
  if (!viewer) return c.read_role === null && c.read_rank === 0;
  if (c.read_role !== null && !hasRole(viewer, c.read_role)) return false;
  return viewer.rank >= c.read_rank || hasRole(viewer, 'moderator');
}

export function canStartThread(viewer: Viewer | null, c: CategoryAccess): boolean {
  if (!viewer || !canReadCategory(viewer, c)) return false;
  return hasRole(viewer, c.post_role) && (viewer.rank >= c.post_rank || hasRole(viewer, 'moderator'));
}

/**
 * Which thread actions the thread page offers. Each needs its role and also that the actor may
 * read the thread's category: a moderator outside a staff-only category may not touch its
 * threads, and the routes refuse what is not offered here (assertCanOpenThread, server/access/threads.ts).
 */
export function threadActionsFor(viewer: Viewer | null, category: Pick<CategoryAccess, 'read_role' | 'read_rank'>) {
  const reads = canReadCategory(viewer, category);
  return { canManage: reads && can(viewer, 'manage threads'), canPin: reads && can(viewer, 'pin'), canLock: reads && can(viewer, 'lock') };
}

/** The roles a viewer holds (theirs and those before it): for the same rule in SQL. */
export function rolesHeld(viewer: Viewer | null): Role[] {
  return viewer ? roles.slice(0, roles.indexOf(viewer.role) + 1) : [];
}

/** Flags the layout needs about the viewer, computed here rather than in templates. */
export function viewerFlags(viewer: Viewer | null) {
  return {
    signedIn: viewer !== null,
    isAdmin: can(viewer, 'view admin'),
    isModerator: can(viewer, 'moderate'),
  };
}

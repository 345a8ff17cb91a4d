// The one place that answers "may this viewer do this to that?". Routes and templates both ask
// it. Pure: what it decides from is handed in (the viewer with their standing, the thing acted on,
// the time), so every answer is a row in a table test (test/platform/permissions.test.ts).
//
// Two kinds of answer. `can…` says yes or no, for a template's flag or a SQL rule's twin. `…Refusal`
// says why not, as the error the route answers with (null: allowed): a route reads its input by
// schema, asks once, then queries and answers.
import type { FlagReason, Role } from './db/schema.ts';
import { forbidden, HttpError, notFound, tooSoon } from './errors.ts';
import { formatMoment, waitText } from './text/moments.ts';

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
  /** The site banner they dismissed, loaded with the viewer (migrations/0042). */
  dismissedBanner?: number | null;
  /** Categories that let this member read them by name (category_members), whatever their role and rank. */
  memberOf?: readonly number[];
}

/** Each role includes the ones before it: admin ⊇ staff ⊇ moderator ⊇ member. */
export function hasRole(viewer: Viewer | null, role: Role): boolean {
  return viewer !== null && roles.indexOf(viewer.role) >= roles.indexOf(role);
}

export type Action = 'view admin' | 'change role' | 'moderate' | 'see deleted' | 'pin' | 'lock' | 'see staff log'
  // Moderators' thread actions (close, unlist, move, merge, split, slow mode) and sanctions.
  | 'manage threads' | 'sanction'
  // The moderation settings and the watched words: rules for everyone, kept by admins.
  | 'change settings'
  // Badges granted and taken back by hand.
  | 'grant badges'
  // Invite links, made and revoked by brand staff and admins.
  | 'invite'
  // The site banner, published and removed by brand staff and admins.
  | 'publish banner';
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
    case 'grant badges':
      return hasRole(viewer, 'admin');
    // Brand staff pin announcements and invite people; moderators lock threads.
    case 'pin':
    case 'invite':
    case 'publish banner':
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
  return viewer !== null && postActionRefusal(viewer, action, post) === null;
}

/** What a refused action on a post tells the member. */
const postRefusals = {
  'edit post': 'You may edit only your own posts.',
  'delete post': 'You may delete only your own posts.',
  'see revisions': 'Earlier versions are shown to the author and moderators.',
  'like post': 'You cannot like this post.',
} as const;

/**
 * Why the viewer may not do this to a post they can see (null: they may). An edit is posting too:
 * with their standing, a silence in force refuses it, the editor's own and not the author's (a
 * moderator tidies a silenced member's post). For a flag, see flagRefusal.
 */
export function postActionRefusal(viewer: Viewer, action: PostAction, post: PostFacts, standing?: Standing): HttpError | null {
  const own = viewer.id === post.user_id;
  switch (action) {
    case 'edit post':
      if (post.deleted_at !== null || !(own || hasRole(viewer, 'moderator'))) return forbidden(postRefusals[action]);
      return standing ? silenceRefusal(standing) : null;
    case 'delete post':
      return post.deleted_at === null && (own || hasRole(viewer, 'moderator')) ? null : forbidden(postRefusals[action]);
    case 'see revisions':
      return own || hasRole(viewer, 'moderator') ? null : forbidden(postRefusals[action]);
    // Nobody likes their own post; hidden or held posts take no likes until they are public again.
    case 'like post':
      if (own) return forbidden('You cannot like your own post.');
      if (post.deleted_at) return notFound('That post');
      return isPublic(post) ? null : new HttpError(409, 'This post is hidden or awaiting approval; it takes no likes until it is public.');
    case 'flag post':
      return flagRefusal(viewer, post);
  }
}

/**
 * Why the viewer may not flag this post (null: they may). Members flag others' posts. Asked for
 * the form (no reason yet), the post must be public: a deleted one has nothing left to flag, a
 * hidden or held one already waits for a moderator. A flag sent may still land on a post that
 * others' flags hid a moment before (it adds to the evidence), and its reason must be one the
 * viewer's rank allows (flagReasonsFor); a reason that is none at all is the form's to say.
 */
export function flagRefusal(viewer: Viewer, post: PostFacts, reason?: string): HttpError | null {
  if (viewer.id === post.user_id) return forbidden('You cannot flag your own post.');
  if (reason === undefined) {
    if (post.deleted_at) return new HttpError(409, 'This post was deleted; there is nothing left to flag.');
    if (!isPublic(post)) return new HttpError(409, 'This post is already waiting for a moderator.');
    return null;
  }
  const reasons = flagReasonsFor(viewer);
  if (allFlagReasons.includes(reason as FlagReason) && !reasons.includes(reason as FlagReason)) {
    return new HttpError(403, 'Newcomers can flag spam only; the other flags open at rank 1 (Member).', {
      reason: 'As a newcomer you can flag spam only.',
    });
  }
  return null;
}

const allFlagReasons: readonly FlagReason[] = ['spam', 'offensive', 'off_topic', 'other'];

/**
 * The flag reasons a member may raise. Newcomers (rank 0) may flag spam only: spam is what they
 * can tell at a glance, and a new account cannot bury an argument under flags. From rank 1
 * (Member) every reason, as Discourse opens flagging at its first trust level.
 */
export function flagReasonsFor(viewer: Viewer | null): FlagReason[] {
  if (!viewer) return [];
  return viewer.rank >= 1 || hasRole(viewer, 'moderator') ? [...allFlagReasons] : ['spam'];
}

/**
 * Whom a moderator may sanction (and lift a sanction from): only someone of a lower role, and
 * never themselves, so no one can silence a peer or undo a sanction on their own account.
 */
export function canSanction(viewer: Viewer | null, target: { id: number; role: Role }): boolean {
  if (!viewer || !can(viewer, 'sanction') || viewer.id === target.id) return false;
  return roles.indexOf(viewer.role) > roles.indexOf(target.role);
}

/**
 * What is done about a member's sanction: imposed, lifted early, or decided on appeal. To lift a
 * sanction, on appeal or not, or to keep it, is to decide it again: each takes someone who may
 * impose it on the member, so nobody decides their own appeal, and a moderator does not undo what
 * staff or an admin decided about a peer.
 */
export type SanctionAct = 'impose' | 'lift' | 'decide appeal';

const sanctionRefusals: Record<SanctionAct, { self: string; other: string }> = {
  impose: { self: 'You cannot sanction yourself.', other: 'You may sanction only members below your role.' },
  lift: { self: 'You may not lift this sanction.', other: 'You may not lift this sanction.' },
  'decide appeal': { self: 'You cannot decide your own appeal: someone above your role will.', other: 'You may decide appeals only of members below your role.' },
};

/**
 * Why the viewer may not do this about a sanction on this member (null: they may). Without a
 * member (none by that name), only whether sanctions are theirs at all: the route says the rest.
 */
export function sanctionRefusal(viewer: Viewer | null, act: SanctionAct, member: { id: number; role: Role } | undefined): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  // An appeal is said to be someone else's to decide before whose it could be.
  if (act === 'decide appeal' && member && viewer.id === member.id) return forbidden(sanctionRefusals[act].self);
  if (!can(viewer, 'sanction')) return forbidden(act === 'decide appeal' ? sanctionRefusals[act].other : 'Sanctions are for moderators.');
  if (!member || canSanction(viewer, member)) return null;
  return forbidden(viewer.id === member.id ? sanctionRefusals[act].self : sanctionRefusals[act].other);
}

/** Who may read a category and who may start threads in it. */
export interface CategoryAccess {
  read_role: Role | null;
  read_rank: number;
  post_role: Role;
  post_rank: number;
  /**
   * The category's id, where known: a member it lets in by name (Viewer.memberOf) reads it. A
   * caller without it decides by role and rank alone, which never opens more.
   */
  category_id?: number;
}

/**
 * Reading: a category open to all (no role, rank 0) is read by guests too; otherwise a member
 * needs the role (each role includes those before it) and the rank. Moderators and above are
 * not held back by rank: they must see what they moderate.
 */
export function canReadCategory(viewer: Viewer | null, c: Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>): boolean {
  if (!viewer) return c.read_role === null && c.read_rank === 0;
  if (c.category_id !== undefined && viewer.memberOf?.includes(c.category_id)) return true;
  if (c.read_role !== null && !hasRole(viewer, c.read_role)) return false;
  return viewer.rank >= c.read_rank || hasRole(viewer, 'moderator');
}

export function canStartThread(viewer: Viewer | null, c: CategoryAccess & { archived_at?: Date | null }): boolean {
  if (!viewer || c.archived_at || !canReadCategory(viewer, c)) return false;
  return hasRole(viewer, c.post_role) && (viewer.rank >= c.post_rank || hasRole(viewer, 'moderator'));
}

/**
 * Why the viewer may not read this category (null: they may): a guest is asked to sign in (401),
 * a member without the role or rank is refused (403). It never says more than that.
 */
export function readRefusal(viewer: Viewer | null, c: Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>): HttpError | null {
  if (canReadCategory(viewer, c)) return null;
  if (!viewer) return new HttpError(401, 'Please sign in to read this.');
  return forbidden('This category is open to some members only.');
}

/**
 * Why the viewer may not open this thread where it is (null: they may), as its page decides: a
 * thread they may not see is not there (404); one in a category they may not read, readRefusal.
 */
export function openThreadRefusal(viewer: Viewer | null, thread: WithheldFacts & Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>): HttpError | null {
  if (!canSee(viewer, thread)) return notFound('That thread');
  return readRefusal(viewer, thread);
}

/** Why the viewer may not see this post where it is (null: they may): as openThreadRefusal, for the post and its thread. */
export function seePostRefusal(
  viewer: Viewer | null,
  post: WithheldFacts,
  thread: WithheldFacts & Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>,
): HttpError | null {
  if (!canSee(viewer, post) || !canSee(viewer, thread)) return notFound('That post');
  return readRefusal(viewer, thread);
}

/**
 * What a member's sanctions say as they post, read for the moment of posting. `silence`: the
 * silence in force then, if any (the one that lasts longest); `lastPostAt`: their latest post in
 * the thread, deleted ones too (deleting does not buy another post), for slow mode.
 */
export interface Standing {
  silence: { ends_at: Date | null; reason: string } | null;
  lastPostAt?: Date | null;
}

/**
 * A silence is "may read, not post", and an edit is posting too: replies, new threads and edits
 * are refused with these words while one is in force.
 */
export function silenceRefusal(standing: Standing): HttpError | null {
  const { silence } = standing;
  if (!silence) return null;
  const until = silence.ends_at ? ` until ${formatMoment(silence.ends_at)}` : '';
  return forbidden(`You are silenced${until}: you may read, but not post. Reason: ${silence.reason}`);
}

/**
 * Whether a silence may be in force now, from what the viewer's session carries: only then is the
 * sanction itself read (it says why and until when).
 */
export function maybeSilenced(viewer: Viewer, now: Date): boolean {
  return viewer.silencedUntil != null && viewer.silencedUntil > now;
}

/** A thread's state as it decides replies. */
export interface ReplyTarget {
  deleted_at: Date | null;
  locked_at: Date | null;
  closes_at: Date | null;
  slow_mode_seconds: number;
  /** Its category's archiving, where read: an archived category is read-only for everyone. */
  category_archived_at?: Date | null;
  /** An announcement takes members' replies only when staff chose so (migrations/0041). */
  kind?: string;
  members_may_reply?: boolean;
}

const ARCHIVED = 'This category is archived: it is kept to read, and takes no new threads or replies.';

/** Seconds a member still waits before posting again in a slow thread (0: they may post). */
export function slowModeWait(lastPostAt: Date | null, seconds: number, now: Date): number {
  if (!lastPostAt || seconds <= 0) return 0;
  const left = seconds - (now.getTime() - lastPostAt.getTime()) / 1000;
  return left > 0 ? Math.ceil(left) : 0;
}

/**
 * Why the viewer may not reply to this thread now (null: they may). Without their standing, what
 * the thread and their role say: whether the page offers the reply form. With it, also their
 * silence and the thread's slow mode: the reply itself, decided under the member's posting lock
 * (server/moderation/posting/posting.ts). Moderators may still post in a locked thread (to say why
 * it is locked), and are held by neither a thread's closing nor its slow mode.
 */
export function replyRefusal(viewer: Viewer | null, thread: ReplyTarget, now: Date, standing?: Standing): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  if (thread.deleted_at) return new HttpError(409, 'This thread was deleted; it takes no more replies.');
  if (thread.category_archived_at) return new HttpError(409, ARCHIVED);
  const silenced = standing ? silenceRefusal(standing) : null;
  if (silenced) return silenced;
  if (thread.locked_at && !can(viewer, 'lock')) return new HttpError(409, 'This thread is locked; it takes no more replies.');
  // Moderators may still answer a closed announcement, as they may a locked thread.
  if (thread.kind === 'announcement' && thread.members_may_reply === false && !hasRole(viewer, 'moderator')) {
    return new HttpError(409, 'This announcement takes no replies from members; only staff can reply to it.');
  }
  if (can(viewer, 'manage threads')) return null;
  if (thread.closes_at && thread.closes_at <= now) return new HttpError(409, 'This thread is closed; it takes no more replies.');
  const wait = standing ? slowModeWait(standing.lastPostAt ?? null, thread.slow_mode_seconds, now) : 0;
  if (wait > 0) {
    return tooSoon(
      `Slow mode is on in this thread: one post every ${waitText(thread.slow_mode_seconds)}. Please wait ${waitText(wait)} before posting again.`,
      wait,
    );
  }
  return null;
}

/**
 * Why the viewer may not start a thread in this category (null: they may): they must read it and
 * hold its posting role and rank; with their standing, a silence refuses too.
 */
export function startThreadRefusal(viewer: Viewer | null, c: CategoryAccess & { archived_at?: Date | null }, standing?: Standing): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  const unread = readRefusal(viewer, c);
  if (unread) return unread;
  if (c.archived_at) return new HttpError(409, ARCHIVED);
  if (!canStartThread(viewer, c)) return forbidden('Starting threads here is open to some members only.');
  return standing ? silenceRefusal(standing) : null;
}

/** What a vote or an accept is about: the post, and the thread it is in. */
export interface VoteTarget extends PostFacts {
  post_number: number;
}
export interface QuestionFacts {
  kind: string;
  user_id: number;
  deleted_at: Date | null;
}

/**
 * Why the viewer may not cast this vote (`1`, `-1`, or `0` to take theirs back) on this post
 * (null: they may). Votes are on questions and their answers, never on one's own post, and only on
 * public posts; a downvote from rank 2 (Contributor) up, as Stack Exchange keeps downvotes for
 * those who know the place. Taking a vote back is always allowed to whoever may vote at all.
 */
export function voteRefusal(viewer: Viewer | null, post: VoteTarget, thread: QuestionFacts, value: -1 | 0 | 1): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in to vote.');
  if (thread.kind !== 'question') return new HttpError(409, 'Votes are for questions and their answers.');
  if (viewer.id === post.user_id) return forbidden('You cannot vote on your own post.');
  if (!isPublic(post) || thread.deleted_at) return new HttpError(409, 'This post takes no votes until it is public.');
  if (value === -1 && viewer.rank < 2 && !hasRole(viewer, 'moderator')) return forbidden('Downvotes open at rank 2 (Contributor).');
  return null;
}

/**
 * Why the viewer may not accept this post as the answer to its question, or undo the accept
 * (null: they may): the asker may, and staff; an answer, not the question itself; a public one.
 */
export function acceptRefusal(viewer: Viewer | null, post: VoteTarget, thread: QuestionFacts): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  if (thread.kind !== 'question') return new HttpError(409, 'Only a question has an accepted answer.');
  if (viewer.id !== thread.user_id && !hasRole(viewer, 'staff')) return forbidden('Only the asker or staff can accept an answer.');
  if (post.post_number === 1) return new HttpError(409, 'The question cannot be its own answer.');
  if (!isPublic(post) || thread.deleted_at) return new HttpError(409, 'Only a public answer can be accepted.');
  return null;
}

/**
 * Brand staff (role staff and up) speak for the brand: their posts carry its mark, they start
 * announcements, and they choose a thread's official response. Moderators keep the community's
 * order and do not speak for the brand.
 */
export function speaksForBrand(role: Role | undefined): boolean {
  return role !== undefined && roles.indexOf(role) >= roles.indexOf('staff');
}

/** What marking a post as its thread's official response is about. */
export interface OfficialTarget extends PostFacts {
  thread_id: number;
  post_number: number;
  /** Its author's role. */
  role: Role;
}

/**
 * Why the viewer may not mark this post as the official response of this thread (null: they
 * may): brand staff only, a public reply in the thread, written by brand staff.
 */
export function officialRefusal(viewer: Viewer | null, post: OfficialTarget | undefined, thread: { id: number; deleted_at: Date | null }): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  if (!speaksForBrand(viewer.role)) return forbidden('Choosing the official response is for staff.');
  if (thread.deleted_at) return new HttpError(409, 'This thread was deleted.');
  const refuse = (message: string) => new HttpError(422, message, { post: message });
  if (!post || post.thread_id !== thread.id) return refuse('That post is not in this thread.');
  if (post.post_number === 1) return refuse('The first post cannot be its own thread\'s official response; choose a staff reply.');
  if (!speaksForBrand(post.role)) return refuse('Only a reply written by staff can be the official response.');
  if (!isPublic(post)) return refuse('Only a public reply can be the official response.');
  return null;
}

/** The thread actions of staff and moderators, and what a viewer without the right hears. */
export const threadActionRefusals = {
  'manage threads': 'Thread actions are for moderators.',
  pin: 'Pinning is for staff.',
  lock: 'Locking is for moderators.',
} as const satisfies Partial<Record<Action, string>>;

export type ThreadAction = keyof typeof threadActionRefusals;

/**
 * Which thread actions the thread page offers. Each needs its role and also that the actor may
 * read the thread's category: a moderator outside a staff-only category may not touch its
 * threads, and the routes refuse what is not offered here (threadActionRefusal).
 */
export function threadActionsFor(viewer: Viewer | null, category: Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>) {
  const reads = canReadCategory(viewer, category);
  return { canManage: reads && can(viewer, 'manage threads'), canPin: reads && can(viewer, 'pin'), canLock: reads && can(viewer, 'lock') };
}

/**
 * Why the viewer may not take this action on this thread (null: they may): the right first, then
 * the thread must be there for them to open, so an action answers no more than the page would.
 */
export function threadActionRefusal(
  viewer: Viewer | null,
  action: ThreadAction,
  thread: WithheldFacts & Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'>,
): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  if (!can(viewer, action)) return forbidden(threadActionRefusals[action]);
  return openThreadRefusal(viewer, thread);
}

/**
 * Thread edits that follow rank, beside moderators' thread actions: from rank 3 (Advocate) a
 * member may rename a thread, edit its tags and move it into another category they may post in,
 * as Discourse opens recategorising and renaming at its third trust level; from rank 4
 * (Ambassador) they may also close a thread as a duplicate of another, and reopen one so closed.
 * Moderators may do all of these. Each such edit by a member is written to the staff log, as a
 * moderator's action is.
 */
export type ThreadEdit = 'retitle' | 'retag' | 'move' | 'close duplicate' | 'reopen duplicate';

/** The rank each thread edit opens at, for members without a moderator's role. */
export const threadEditRanks: Record<ThreadEdit, number> = { retitle: 3, retag: 3, move: 3, 'close duplicate': 4, 'reopen duplicate': 4 };

const threadEditRefusals: Record<ThreadEdit, string> = {
  retitle: 'Renaming threads opens at rank 3 (Advocate).',
  retag: 'Editing tags opens at rank 3 (Advocate).',
  move: 'Moving threads opens at rank 3 (Advocate).',
  'close duplicate': 'Closing a thread as a duplicate opens at rank 4 (Ambassador).',
  'reopen duplicate': 'Reopening a thread closed as a duplicate is for moderators and Ambassadors (rank 4).',
};

/** Whether the viewer's role or rank opens this edit at all, whatever the thread. */
export function hasThreadEdit(viewer: Viewer | null, edit: ThreadEdit): boolean {
  return viewer !== null && (can(viewer, 'manage threads') || viewer.rank >= threadEditRanks[edit]);
}

/** Why the viewer's role and rank do not open this edit (null: they do), before any thread is looked at. */
export function threadEditRightRefusal(viewer: Viewer | null, edit: ThreadEdit): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  return hasThreadEdit(viewer, edit) ? null : forbidden(threadEditRefusals[edit]);
}

/** What of a thread decides its edits: whether it is there for the viewer, and its lock. */
export type EditedThread = WithheldFacts & Pick<CategoryAccess, 'read_role' | 'read_rank' | 'category_id'> & {
  locked_at: Date | null;
  duplicate_of: number | null;
};

/**
 * Why the viewer may not make this edit to this thread now (null: they may). The rank or the
 * role first (a member hears what the edit takes), then the thread as its page decides, then for
 * a member: not while silenced (an edit is posting too), only on a public thread, and not on a
 * thread a moderator locked (what is settled stays settled) — but an Ambassador reopens one
 * closed as a duplicate, which is locked by being closed. Where a thread moves to is asked
 * apart (moveRefusal).
 */
export function threadEditRefusal(viewer: Viewer | null, edit: ThreadEdit, thread: EditedThread, now: Date): HttpError | null {
  const unqualified = threadEditRightRefusal(viewer, edit);
  if (unqualified || !viewer) return unqualified;
  const unopened = openThreadRefusal(viewer, thread);
  if (unopened) return unopened;
  if (edit === 'reopen duplicate' && thread.duplicate_of === null) return new HttpError(409, 'This thread is not closed as a duplicate.');
  if (edit === 'close duplicate' && thread.duplicate_of !== null) return new HttpError(409, 'This thread is closed as a duplicate already.');
  if (can(viewer, 'manage threads')) return null;
  if (maybeSilenced(viewer, now)) return forbidden('You are silenced: you may read, but not change threads.');
  if (!isPublic(thread)) return new HttpError(409, 'Only a public thread can be changed.');
  if (thread.locked_at && edit !== 'reopen duplicate') return new HttpError(409, 'This thread is locked: only moderators change it now.');
  return null;
}

/**
 * Why the viewer may not move a thread into this category (null: they may). A moderator moves
 * it anywhere they may read (it must not leave their reach); a member only where they may start
 * a thread themselves, so a move never puts a thread where its mover could not have posted it.
 */
export function moveRefusal(viewer: Viewer, category: CategoryAccess): HttpError | null {
  if (can(viewer, 'manage threads')) return readRefusal(viewer, category);
  if (!canStartThread(viewer, category)) {
    const message = 'You may move a thread only into a category where you may start threads.';
    return new HttpError(403, message, { category: message });
  }
  return null;
}

/**
 * Which thread edits the thread page offers this viewer: the same answers as threadEditRefusal,
 * so a control is shown exactly where its route would take it. The page plain members share
 * draws these per member (server/threads/member-page.ts), keyed by threadEditsKey.
 */
export function threadEditsFor(viewer: Viewer | null, thread: EditedThread, now: Date) {
  // Asked on every page a member opens, most of them below rank 3: the rank alone answers for
  // them, without making (and throwing away) an error for each edit.
  const may = (edit: ThreadEdit) => hasThreadEdit(viewer, edit) && threadEditRefusal(viewer, edit, thread, now) === null;
  const edits = {
    canRetitle: may('retitle'),
    canRetag: may('retag'),
    canMove: may('move'),
    canCloseDuplicate: may('close duplicate'),
    canReopenDuplicate: may('reopen duplicate'),
  };
  return { ...edits, canEditThread: Object.values(edits).some(Boolean) };
}

/** What of threadEditsFor differs from one viewer to the next, as a short key. */
export function threadEditsKey(edits: ReturnType<typeof threadEditsFor>): string {
  return [edits.canRetitle, edits.canRetag, edits.canMove, edits.canCloseDuplicate, edits.canReopenDuplicate].map((on) => (on ? 1 : 0)).join('');
}

/**
 * Nominating a member for rank 4 (Ambassador) is brand staff's (role staff and above): the top
 * rank is the brand's own programme, granted by hand to a member who already holds rank 3.
 */
export function canNominate(viewer: Viewer | null): boolean {
  return hasRole(viewer, 'staff');
}

/**
 * Why staff may not nominate this member now (null: they may): only an Advocate (rank 3), not
 * themselves, and not while a nomination of theirs is open.
 */
export function nominationRefusal(viewer: Viewer | null, member: { id: number; rank: number; username: string }, open: boolean): HttpError | null {
  if (!viewer) return new HttpError(401, 'Please sign in first.');
  if (!canNominate(viewer)) return forbidden('Nominating members for Ambassador is for staff.');
  if (member.rank >= 4) return new HttpError(409, `${member.username} is an Ambassador already.`);
  if (member.rank < 3) return new HttpError(409, `${member.username} is rank ${member.rank} (${rankNames[member.rank] ?? 'unknown'}): only an Advocate (rank 3) can be nominated for Ambassador.`);
  if (open) return new HttpError(409, `${member.username} has an open nomination already: wait for their answer, or withdraw it first.`);
  return null;
}

/**
 * The roles an invite made by this viewer may give: up to their own, so staff invite members,
 * moderators and staff, and only an admin invites an admin. None for those who may not invite.
 */
export function inviteRoles(viewer: Viewer | null): Role[] {
  return can(viewer, 'invite') ? rolesHeld(viewer) : [];
}

/** This role and those above it: everyone who holds it. */
export function rolesFrom(role: Role): Role[] {
  return roles.slice(roles.indexOf(role));
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

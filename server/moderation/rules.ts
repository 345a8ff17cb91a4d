// The rules of flags and the review queue, as pure functions: what a flag weighs, when flags
// hide a post, how many a member may raise, and what a moderator may do with a queue item.
import type { FlagReason, QueueKind, QueueResolution, Role } from '../db/schema.ts';
import { roles } from '../permissions.ts';

export const flagReasons: readonly FlagReason[] = ['spam', 'offensive', 'off_topic', 'other'];

export const flagReasonLabels: Record<FlagReason, string> = {
  spam: 'Spam',
  offensive: 'Offensive',
  off_topic: 'Off topic',
  other: 'Something else',
};

export const NOTE_MAX = 1000;

/** What the flag weighs depends on who raises it. */
export interface Flagger {
  role: Role;
  rank: number;
  flagsAgreed: number;
  flagsDisagreed: number;
}

const isModerator = (role: Role) => roles.indexOf(role) >= roles.indexOf('moderator');

/** Accuracy counts only once a member has this many flags resolved: a first mistake costs nothing. */
export const ACCURACY_AFTER = 5;
/** Above this share of agreed flags a member's flags weigh more; below it, less. */
export const ACCURACY_AXIS = 0.7;
/** The most the accuracy bonus adds (or takes): a rank-4 member with a perfect record weighs 7, still short of 8 alone. */
export const ACCURACY_MAX = 2;
/** Even a member whose flags were always turned down is heard a little: the flag still reaches the queue. */
export const MIN_WEIGHT = 0.5;

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * From 0 at 70% agreed, rising to +2 at 100% and falling to −2 at 0% (after 5 resolved flags),
 * as Discourse scores flaggers, but bounded so that no single member hides a post by flagging.
 */
export function accuracyBonus(agreed: number, disagreed: number): number {
  const resolved = agreed + disagreed;
  if (resolved < ACCURACY_AFTER) return 0;
  const share = agreed / resolved;
  if (share > ACCURACY_AXIS) return round2(((share - ACCURACY_AXIS) / (1 - ACCURACY_AXIS)) * ACCURACY_MAX);
  if (share < ACCURACY_AXIS) return -round2(((ACCURACY_AXIS - share) / ACCURACY_AXIS) * ACCURACY_MAX);
  return 0;
}

/** 1 + the flagger's rank (moderators, staff and admins 5), plus the accuracy bonus. */
export function flagWeight(f: Flagger): number {
  const base = isModerator(f.role) ? 5 : 1 + f.rank;
  return Math.max(MIN_WEIGHT, round2(base + accuracyBonus(f.flagsAgreed, f.flagsDisagreed)));
}

/** A post hides, pending review, once the weights of its open flags add up to the threshold. */
export function hidesByScore(score: number, threshold: number): boolean {
  return threshold > 0 && score >= threshold;
}

/** A spam flag from an Advocate (rank 3) or above, or from a moderator, hides the post at once. */
export function hidesAtOnce(reason: FlagReason, f: Pick<Flagger, 'role' | 'rank'>): boolean {
  return reason === 'spam' && (f.rank >= 3 || isModerator(f.role));
}

/**
 * Flags a member may raise in a day: 20, ×1.5, ×2 and ×3 for ranks 2, 3 and 4 (REFERENCE.md).
 * Moderators are not counted (null): flagging is part of their work.
 */
export function dailyFlagLimit(f: Pick<Flagger, 'role' | 'rank'>): number | null {
  if (isModerator(f.role)) return null;
  return Math.floor(20 * ([1, 1, 1.5, 2, 3][f.rank] ?? 1));
}

/** Field errors of a flag form (`reason` one of the four; `other` needs a note). */
export function flagErrors(input: { reason?: string; note?: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  const note = (input.note ?? '').trim();
  if (!flagReasons.includes(input.reason as FlagReason)) errors.reason = 'Choose why you are flagging this post.';
  else if (input.reason === 'other' && !note) errors.note = 'Tell the moderators what is wrong with this post.';
  if (note.length > NOTE_MAX) errors.note = `Keep the note under ${NOTE_MAX} characters.`;
  return errors;
}

// The review queue.

/** A claim keeps other moderators off an item this long; then it lapses (its moderator may have left). */
export const CLAIM_MINUTES = 30;

export function claimLapsesAt(claimedAt: Date): Date {
  return new Date(claimedAt.getTime() + CLAIM_MINUTES * 60_000);
}

/** Whether another moderator's claim stops this one acting on the item now. */
export function claimedByOther(item: { claimed_by: number | null; claimed_at: Date | null }, moderatorId: number, now: Date): boolean {
  return item.claimed_by !== null && item.claimed_by !== moderatorId && item.claimed_at !== null && claimLapsesAt(item.claimed_at) > now;
}

export type PostState = 'public' | 'hidden' | 'pending' | 'deleted';

export function postState(p: { deleted_at: Date | null; hidden_at: Date | null; pending_at: Date | null }): PostState {
  if (p.deleted_at) return 'deleted';
  if (p.pending_at) return 'pending';
  if (p.hidden_at) return 'hidden';
  return 'public';
}

export const actionLabels: Record<QueueResolution, string> = {
  approve: 'Approve',
  edit_approve: 'Edit and approve',
  reject: 'Reject',
  hide: 'Hide',
  delete: 'Delete',
  dismiss: 'Dismiss flags',
  uphold: 'Uphold the sanction',
  lift: 'Lift the sanction',
};

/** What each action did, for the moderator's confirmation. */
export const actionDone: Record<QueueResolution, string> = {
  approve: 'Approved.',
  edit_approve: 'Edited and approved.',
  reject: 'Rejected: the post is deleted and its author told.',
  hide: 'Hidden: its author is told.',
  delete: 'Deleted: its author is told.',
  dismiss: 'Flags dismissed.',
  uphold: 'The sanction stays.',
  lift: 'The sanction is lifted.',
};

/**
 * The actions a moderator may take on an item, by what it is about. A post awaiting approval is
 * approved (maybe after an edit) or rejected; there are no flags to dismiss on it. A published
 * or hidden post may be kept (approve, dismiss), corrected (edit and approve), hidden or deleted.
 * A post its author deleted meanwhile can only have the flags settled. An appeal is upheld or lifted.
 */
export function actionsFor(item: { kind: QueueKind; state: PostState | null; hiddenReason?: string | null }): QueueResolution[] {
  if (item.kind === 'appeal') return ['uphold', 'lift'];
  switch (item.state) {
    case 'pending':
      return ['approve', 'edit_approve', 'reject'];
    case 'deleted':
      return ['delete', 'dismiss'];
    case 'hidden':
      // A post a moderator hid is hidden already; flags may still have brought it here.
      return item.hiddenReason === 'moderator' ? ['approve', 'edit_approve', 'delete', 'dismiss'] : ['approve', 'edit_approve', 'hide', 'delete', 'dismiss'];
    default:
      return ['approve', 'edit_approve', 'hide', 'delete', 'dismiss'];
  }
}

/**
 * Whether the flags on the item were right, by what the moderator did (null: no flags are
 * settled). A post that needed a moderator's edit before it could stay had something wrong with
 * it, so its flaggers were right.
 */
export function flagOutcome(action: QueueResolution): 'agreed' | 'disagreed' | null {
  switch (action) {
    case 'reject':
    case 'hide':
    case 'delete':
    case 'edit_approve':
      return 'agreed';
    case 'approve':
    case 'dismiss':
      return 'disagreed';
    default:
      return null;
  }
}

export const kindLabels: Record<QueueKind, string> = {
  flag: 'Flagged',
  approval: 'Awaiting approval',
  watched_word: 'Watched word',
  spam: 'Spam check',
  appeal: 'Appeal',
};

/** Where a moderator's form came from: a page of the queue (kept with its filters) or one item. */
export function safeQueueAddress(back: string | undefined): string {
  if (back && /^\/mod(\/items\/\d+)?(\?[\w=&%.+-]*)?$/.test(back)) return back;
  return '/mod';
}

// The rules of the review queue, as pure functions: how long a claim holds, what a moderator may
// do with an item, and what their decision says about its flags.
import type { QueueKind, QueueResolution } from '../../db/schema.ts';

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

// The rules of flags, as pure functions: what a flag weighs, when flags hide a post, how many a
// member may raise, and what a flag form must say.
import type { FlagReason, Role } from '../../db/schema.ts';
import { roles } from '../../permissions.ts';

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

// What each reputation event is worth, and the two limits on it: at most DAILY_VOTE_CAP a day
// from votes (accepts are exempt), and never below 1. Pure. The numbers are Stack Exchange's and
// Apache Answer's, which agree (REFERENCE.md), except that a question's upvote is worth half an
// answer's: answers are what a brand community most needs more of.
import type { ReputationKind } from '../db/schema.ts';

export const reputationPoints: Record<ReputationKind, number> = {
  answer_upvoted: 10,
  question_upvoted: 5,
  post_downvoted: -2,
  // The voter pays a little for a downvote on an answer, so that downvotes are meant.
  downvoted_answer: -1,
  answer_accepted: 15,
  accepted_an_answer: 2,
  post_hidden: -10,
};

/** What each event says on a profile. */
export const reputationWords: Record<ReputationKind, string> = {
  answer_upvoted: 'Answer upvoted',
  question_upvoted: 'Question upvoted',
  post_downvoted: 'Post downvoted',
  downvoted_answer: 'Downvoted an answer',
  answer_accepted: 'Answer accepted',
  accepted_an_answer: 'Accepted an answer',
  post_hidden: 'Post hidden by moderation',
};

/** Events whose gains count towards the daily cap. */
export const voteKinds: readonly ReputationKind[] = ['answer_upvoted', 'question_upvoted'];

export const DAILY_VOTE_CAP = 200;

/** The floor every total stays at or above. */
export const REPUTATION_FLOOR = 1;

/**
 * The points an event moves for a member whose total is `total` and who has gained `gainedToday`
 * from votes since the start of the UTC day: its worth, held to what the cap has left for a vote's
 * gain, and to what keeps the total at the floor for a loss.
 */
export function pointsFor(kind: ReputationKind, total: number, gainedToday: number): number {
  const worth = reputationPoints[kind];
  if (worth > 0) return voteKinds.includes(kind) ? Math.max(0, Math.min(worth, DAILY_VOTE_CAP - gainedToday)) : worth;
  return Math.max(worth, REPUTATION_FLOOR - total);
}

/** What undoing an event of `points` moves for a member whose total is `total`: its opposite, held to the floor. */
export function reversalPoints(points: number, total: number): number {
  return Math.max(-points, REPUTATION_FLOOR - total);
}

/** The start of the UTC day of `at`: the daily cap counts from it. */
export function dayStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

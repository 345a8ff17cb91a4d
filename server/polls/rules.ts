// What a poll may be, and who sees its results when.
import type { Poll, PollInput } from './types.ts';

export const OPTIONS_MIN = 2;
export const OPTIONS_MAX = 20;
export const LABEL_MAX = 100;

/**
 * The poll part of the new-thread form: options one per line; a question (the thread's title
 * when left empty); a close date, which must be in the future. No options: no poll.
 */
export function parsePoll(
  form: { poll_question?: string; poll_options?: string; poll_multiple?: string; poll_closes_at?: string },
  fallbackQuestion: string,
  now: Date,
): { poll: PollInput | null; errors: Record<string, string> } {
  const options = (form.poll_options ?? '')
    .split(/\r?\n/)
    .map((o) => o.trim())
    .filter(Boolean);
  if (!options.length) return { poll: null, errors: {} };
  const errors: Record<string, string> = {};
  if (options.length < OPTIONS_MIN || options.length > OPTIONS_MAX) {
    errors.poll_options = `A poll has ${OPTIONS_MIN} to ${OPTIONS_MAX} options, one per line.`;
  } else if (options.some((o) => o.length > LABEL_MAX)) {
    errors.poll_options = `Each option is at most ${LABEL_MAX} characters.`;
  } else if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) {
    errors.poll_options = 'Each option must be different.';
  }
  const question = (form.poll_question ?? '').trim() || fallbackQuestion;
  if (question.length > 200) errors.poll_question = 'Questions are at most 200 characters.';
  let closesAt: Date | null = null;
  if (form.poll_closes_at?.trim()) {
    closesAt = new Date(form.poll_closes_at);
    if (Number.isNaN(closesAt.getTime())) errors.poll_closes_at = 'Enter a date and time, like 2026-12-31T18:00.';
    else if (closesAt <= now) errors.poll_closes_at = 'The closing time must be in the future.';
  }
  return { poll: { question, options, multiple: form.poll_multiple === 'on' || form.poll_multiple === 'true', closesAt }, errors };
}

export function isClosed(poll: { closes_at: Date | null }, now: Date): boolean {
  return poll.closes_at !== null && poll.closes_at <= now;
}

/** Results show once the member has voted, or to everyone once the poll has closed. */
export function showResults(poll: { closes_at: Date | null }, hasVoted: boolean, now: Date): boolean {
  return hasVoted || isClosed(poll, now);
}

/** What the poll partial shows: percentages and flags computed here, not in the template. */
export function pollView(poll: Poll, signedIn: boolean, now: Date) {
  const closed = isClosed(poll, now);
  const results = showResults(poll, poll.hasVoted, now);
  const total = poll.options.reduce((n, o) => n + o.vote_count, 0);
  return {
    ...poll,
    closed,
    results,
    canVote: signedIn && !closed && !poll.hasVoted,
    options: poll.options.map((o) => ({ ...o, percent: total ? Math.round((o.vote_count / total) * 100) : 0 })),
  };
}

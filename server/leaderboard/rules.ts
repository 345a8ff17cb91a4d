// What the leaderboard can show and how each board is named: pure, with the clock passed in.
//
// The periods are rolling (the last 7 and 30 days, not the calendar week or month), so that a
// board is never empty on a Monday morning or the first of the month. The first board is all-time
// reputation: a young or quiet community has one even in a week without votes.
export const boards = ['reputation', 'accepted'] as const;
export type Board = (typeof boards)[number];

export const periods = ['week', 'month', 'all'] as const;
export type Period = (typeof periods)[number];

/** How many members a board lists. */
export const LEADERS = 50;

const DAY = 24 * 60 * 60 * 1000;
const periodDays: Record<Exclude<Period, 'all'>, number> = { week: 7, month: 30 };

export const boardWords: Record<Board, { label: string; column: string }> = {
  reputation: { label: 'Reputation', column: 'Reputation' },
  accepted: { label: 'Accepted answers', column: 'Accepted answers' },
};

export const periodWords: Record<Period, { label: string; caption: string }> = {
  week: { label: 'This week', caption: 'in the last 7 days' },
  month: { label: 'This month', caption: 'in the last 30 days' },
  all: { label: 'All time', caption: 'of all time' },
};

/** Where a period starts at `now`; null for all time. */
export function periodStart(period: Period, now: Date): Date | null {
  return period === 'all' ? null : new Date(now.getTime() - periodDays[period] * DAY);
}

/** The board's address; the defaults (reputation, all time) are left out, so the plain /leaderboard is the first board. */
export function leaderboardUrl(by: Board, period: Period): string {
  const q = new URLSearchParams();
  if (by !== 'reputation') q.set('by', by);
  if (period !== 'all') q.set('period', period);
  const s = q.toString();
  return s ? `/leaderboard?${s}` : '/leaderboard';
}

/** What the board says above its list, e.g. "Reputation gained in the last 7 days". */
export function boardCaption(by: Board, period: Period): string {
  if (by === 'reputation') return period === 'all' ? 'Reputation of all time' : `Reputation gained ${periodWords[period].caption}`;
  return period === 'all' ? 'Accepted answers of all time' : `Answers accepted ${periodWords[period].caption}`;
}

// Pure rules of the moderators' thread actions: when a thread closes, which posts a split takes,
// how long slow mode may be. Who is offered them is threadActionsFor (server/permissions.ts); how
// long slow mode makes a member wait, slowModeWait (server/permissions.ts).
import { parseMoment } from '../../text/moments.ts';

/** At most a year ahead: a closing time further than that is surely a typo. */
export const CLOSE_MAX_HOURS = 24 * 366;

/**
 * `after` on the close form: a number of hours from now (0 closes it now), or a date or
 * date-time (UTC) not in the past.
 */
export function parseCloseAfter(raw: string, now: Date): { at: Date } | { error: string } {
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const hours = Number(s);
    if (hours > CLOSE_MAX_HOURS) return { error: `At most ${CLOSE_MAX_HOURS} hours (a year).` };
    return { at: new Date(now.getTime() + Math.round(hours * 3_600_000)) };
  }
  const at = parseMoment(s);
  if (!at) return { error: 'Enter a number of hours (0 closes it now), or a date and time like 2026-03-05T14:30 (UTC).' };
  if (at < now) return { error: 'The closing time must not be in the past.' };
  return { at };
}

export const SPLIT_MAX = 500;

/**
 * `posts` on the split form: post numbers as the thread shows them (4, 7-9) or post ids as in
 * their links (p123), separated by commas or spaces.
 */
export function parsePostList(raw: string): { numbers: number[]; ids: number[] } | { error: string } {
  const numbers = new Set<number>();
  const ids = new Set<number>();
  const tokens = raw.split(/[\s,]+/).filter(Boolean);
  if (!tokens.length) return { error: 'Name the replies to move, like 4, 7-9 or p123.' };
  for (const token of tokens) {
    let m: RegExpExecArray | null;
    if ((m = /^#?(\d{1,9})$/.exec(token))) numbers.add(Number(m[1]));
    else if ((m = /^#?(\d{1,9})-#?(\d{1,9})$/.exec(token))) {
      const [a, b] = [Number(m[1]), Number(m[2])];
      if (b < a || b - a >= SPLIT_MAX) return { error: `"${token}" is not a range of post numbers.` };
      for (let n = a; n <= b; n++) numbers.add(n);
    } else if ((m = /^p(\d{1,15})$/i.exec(token))) ids.add(Number(m[1]));
    else return { error: `"${token.slice(0, 30)}" is neither a post number (4, 7-9) nor a post id (p123).` };
    if (numbers.size + ids.size > SPLIT_MAX) return { error: `At most ${SPLIT_MAX} posts at a time.` };
  }
  return { numbers: [...numbers], ids: [...ids] };
}

/** Slow mode of at most a week (the column's own limit). */
export const SLOW_MAX_MINUTES = 7 * 24 * 60;

export function parseSlowMinutes(raw: string): { seconds: number } | { error: string } {
  const s = raw.trim();
  if (!/^\d{1,6}$/.test(s) || Number(s) > SLOW_MAX_MINUTES) {
    return { error: `Enter a number of minutes from 0 (off) to ${SLOW_MAX_MINUTES} (a week).` };
  }
  return { seconds: Number(s) * 60 };
}

/**
 * A thread named on the merge and duplicate forms: its number, or its address (/t/12/slug), as
 * a moderator or a member may paste either. Null: neither.
 */
export function parseThreadRef(raw: string): number | null {
  const m = /^\s*(?:.*\/t\/)?(\d{1,15})(?:[/?#].*)?\s*$/.exec(raw);
  return m ? Number(m[1]) : null;
}

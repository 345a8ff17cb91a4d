// Moments and waits as the site reads and says them. Moments as moderators write them on their
// forms (a sanction's end, a thread's closing time) and as the site says them back: always in UTC,
// and said with its zone, since moderators and members read them across time zones. Pure.

/**
 * A date (2026-03-05, the start of that day) or a date-time (2026-03-05T14:30), read as UTC
 * unless it names its zone; null when it is neither.
 */
export function parseMoment(raw: string): Date | null {
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${zone}`);
  if (Number.isNaN(date.getTime())) return null;
  // "2026-02-31" rolls over in JavaScript; a date that does not exist is refused instead.
  if (zone === 'Z' && (date.getUTCMonth() + 1 !== Number(mo) || date.getUTCDate() !== Number(d))) return null;
  return date;
}

const moment = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC',
});

/** "5 Mar 2026, 14:30 UTC": an end is said to the minute, with its zone. */
export function formatMoment(d: Date): string {
  return `${moment.format(d)} UTC`;
}

/** "45 seconds", "1 minute", "4 minutes", "2 hours": a wait said the way a person would. */
export function waitText(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 2 * 3600) return unit(Math.ceil(seconds / 60), 'minute');
  if (seconds < 2 * 86400) return unit(Math.ceil(seconds / 3600), 'hour');
  return unit(Math.ceil(seconds / 86400), 'day');
}

// When a bookmark's reminder is due: a local date-time from a datetime-local field, read in the
// member's time zone (an IANA name their browser gives, UTC without JavaScript). Pure: `now` is
// passed in. Luxon does the zone arithmetic from the runtime's own time-zone data, with the
// daylight-saving gaps and overlaps handled as the zone's rules say.
import { DateTime, IANAZone } from 'luxon';

/** How far ahead a reminder may be set: the sweep keeps nothing of a bookmark that long anyway. */
export const REMINDER_MAX_DAYS = 5 * 365;

export type ReminderInput = { remindAt?: string; timezone?: string };

/** The reminder's moment, or the field errors that refuse it; no reminder when the field is empty. */
export function reminderOf(input: ReminderInput, now: Date): { at: Date | null; errors: Record<string, string> } {
  const local = (input.remindAt ?? '').trim();
  const zone = (input.timezone ?? '').trim() || 'UTC';
  if (!IANAZone.isValidZone(zone)) {
    return { at: null, errors: { timezone: 'That time zone is not one we know. Leave it empty to use UTC.' } };
  }
  if (!local) return { at: null, errors: {} };
  // What a datetime-local field sends: 2026-12-24T09:30, seconds optional.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) {
    return { at: null, errors: { remind_at: 'Give the reminder as a date and time, like 2026-12-24T09:30.' } };
  }
  const at = DateTime.fromISO(local, { zone });
  if (!at.isValid) return { at: null, errors: { remind_at: 'That date and time do not exist.' } };
  if (at.toMillis() <= now.getTime()) return { at: null, errors: { remind_at: 'That time has passed: choose a time in the future.' } };
  if (at.toMillis() > now.getTime() + REMINDER_MAX_DAYS * 86_400_000) {
    return { at: null, errors: { remind_at: `Reminders are at most ${REMINDER_MAX_DAYS / 365} years ahead.` } };
  }
  return { at: at.toJSDate(), errors: {} };
}

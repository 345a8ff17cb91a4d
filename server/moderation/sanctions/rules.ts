// Pure rules about sanctions: what a moderator's form means, when a sanction is in force, how
// its end is said, and the appeal token a suspended member (who has no session) carries.
import type { SanctionKind } from '../../db/schema.ts';
import { formatMoment, parseMoment } from '../../text/moments.ts';

export const sanctionKinds: readonly SanctionKind[] = ['warn', 'silence', 'suspend', 'ban'];

/** Quick choices on the form: the usual steps of a suspension (1, 3, 7, 30 days). */
export const quickDays = [1, 3, 7, 30] as const;

/** Silence and suspension end at a date; a warning has nothing to end and a ban no end. */
export const hasEnd = (kind: SanctionKind) => kind === 'silence' || kind === 'suspend';

export const REASON_MAX = 1000;

export interface SanctionForm {
  kind?: string;
  until?: string;
  days?: string;
  reason?: string;
}

export interface SanctionInput {
  kind: SanctionKind;
  endsAt: Date | null;
  reason: string;
}

/** The moderator's form to a sanction, or the errors beside its fields. */
export function parseSanction(form: SanctionForm, now: Date): { sanction?: SanctionInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const kind = sanctionKinds.find((k) => k === form.kind);
  if (!kind) errors.kind = 'Choose warn, silence, suspend or ban.';
  const reason = (form.reason ?? '').trim();
  if (!reason) errors.reason = 'Give a reason: the member will read it.';
  else if (reason.length > REASON_MAX) errors.reason = `A reason is at most ${REASON_MAX} characters.`;
  let endsAt: Date | null = null;
  if (kind && hasEnd(kind)) {
    const until = (form.until ?? '').trim();
    const days = Number((form.days ?? '').trim() || NaN);
    if (until) {
      endsAt = parseMoment(until);
      if (!endsAt) errors.until = 'Enter a date like 2026-03-05, or a date and time like 2026-03-05T14:30 (UTC).';
      else if (endsAt <= now) errors.until = 'The end must be in the future.';
    } else if ((quickDays as readonly number[]).includes(days)) {
      endsAt = new Date(now.getTime() + days * 86_400_000);
    } else {
      errors.until = `A ${kind === 'silence' ? 'silence' : 'suspension'} needs an end: choose a number of days or a date.`;
    }
  }
  if (Object.keys(errors).length || !kind) return { errors };
  return { sanction: { kind, endsAt, reason }, errors };
}

export type SanctionState = 'in force' | 'ended' | 'lifted';

/** A sanction lifts itself at its end: nothing needs to run for that, every check asks this. */
export function sanctionState(s: { kind: SanctionKind; ends_at: Date | null; lifted_at: Date | null }, now: Date): SanctionState {
  if (s.lifted_at) return 'lifted';
  if (s.kind === 'warn') return 'ended';
  if (s.ends_at && s.ends_at <= now) return 'ended';
  return 'in force';
}

/** How a sanction's end reads: "until 5 Mar 2026, 14:30 UTC", "with no end", or nothing for a warning. */
export function endText(s: { kind: SanctionKind; ends_at: Date | null }): string {
  if (s.kind === 'warn') return '';
  if (!s.ends_at) return 'with no end';
  return `until ${formatMoment(s.ends_at)}`;
}

export const kindWords: Record<SanctionKind, { noun: string; done: string }> = {
  warn: { noun: 'warning', done: 'warned' },
  silence: { noun: 'silence', done: 'silenced' },
  suspend: { noun: 'suspension', done: 'suspended' },
  ban: { noun: 'ban', done: 'banned' },
};

/** The notice a member gets when sanctioned: what, until when, why, and where to appeal. */
export function sanctionMessage(s: { kind: SanctionKind; ends_at: Date | null; reason: string }): string {
  const what = {
    warn: 'A moderator sent you a warning.',
    silence: `You are silenced ${endText(s)}: you may read, but not post.`,
    suspend: `Your account is suspended ${endText(s)}: you cannot sign in until then.`,
    ban: 'Your account is banned: you cannot sign in.',
  }[s.kind];
  return `${what} Reason: ${s.reason} Your sanctions, and how to appeal them, are at /sanctions.`;
}

/**
 * An appeal token names a sanction until a time: `appeal:<sanction id>:<expiry ms>`, signed by
 * the caller with the app's secret. It lets a suspended member, who cannot sign in, appeal.
 */
export const APPEAL_TOKEN_MS = 2 * 60 * 60 * 1000;

export function appealTokenValue(sanctionId: number, now: Date): string {
  return `appeal:${sanctionId}:${now.getTime() + APPEAL_TOKEN_MS}`;
}

/** The sanction a (verified) token value names, if it has not expired. */
export function readAppealTokenValue(value: string, now: Date): number | null {
  const m = /^appeal:(\d+):(\d+)$/.exec(value);
  if (!m || Number(m[2]) <= now.getTime()) return null;
  return Number(m[1]);
}

export const APPEAL_MAX = 5000;

export function appealErrors(body: string): Record<string, string> {
  if (!body.trim()) return { body: 'Say why the sanction should be lifted.' };
  if (body.length > APPEAL_MAX) return { body: `An appeal is at most ${APPEAL_MAX} characters.` };
  return {};
}

/** A member may appeal a sanction once, while it is in force (a warning stays appealable). */
export function mayAppeal(s: { kind: SanctionKind; ends_at: Date | null; lifted_at: Date | null; appeal_id: number | null }, now: Date): boolean {
  if (s.appeal_id !== null) return false;
  const state = sanctionState(s, now);
  return state === 'in force' || (s.kind === 'warn' && state !== 'lifted');
}

/** What the pages about a sanction show: its words, its state, its end, its appeal. */
export function sanctionView<
  T extends { kind: SanctionKind; ends_at: Date | null; lifted_at: Date | null; appeal_id: number | null; appeal_outcome: 'upheld' | 'lifted' | null },
>(s: T, now: Date) {
  const state = sanctionState(s, now);
  return {
    ...s,
    noun: kindWords[s.kind].noun,
    state,
    inForce: state === 'in force',
    end: endText(s),
    canAppeal: mayAppeal(s, now),
    appeal: s.appeal_id === null ? null : s.appeal_outcome === null ? 'waiting for a moderator' : s.appeal_outcome,
  };
}

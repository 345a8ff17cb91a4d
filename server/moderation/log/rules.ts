// Pure rules of the staff log page: reading its filters, saying what a line changed, and where
// its target is read. No database, no clock.
import type { LogTargetType } from '../../db/schema.ts';

export const LOG_PAGE = 50;

export const logTargetTypes = [
  'post', 'thread', 'user', 'queue_item', 'setting', 'watched_word', 'category', 'sanction', 'appeal', 'export',
  'invite',
] as const satisfies readonly LogTargetType[];

export interface LogQuery {
  actor?: string;
  action?: string;
  target?: string;
  before?: string;
}

export interface LogFilters {
  /** A username; the route turns it into the actor's id. */
  actor?: string;
  /** `post.hide` matches that action; `post.` (or `post`) every action on posts. */
  action?: { value: string; prefix: boolean };
  target?: { type: LogTargetType; id?: number };
  /** Keyset paging: lines older than this id. */
  before?: number;
}

const ACTION = /^[a-z_]+(\.[a-z_]+)*\.?$/;
const TARGET = /^([a-z_]+)(?::(\d{1,15}))?$/;

/** The filters as typed (trimmed), what they mean, and an error beside each one that means nothing. */
export function readLogQuery(q: LogQuery): { values: Record<string, string>; filters: LogFilters; errors: Record<string, string> } {
  const values = {
    actor: (q.actor ?? '').trim().replace(/^@/, ''),
    action: (q.action ?? '').trim().toLowerCase(),
    target: (q.target ?? '').trim().toLowerCase(),
  };
  const filters: LogFilters = {};
  const errors: Record<string, string> = {};
  if (values.actor) filters.actor = values.actor;
  if (values.action) {
    if (!ACTION.test(values.action)) errors.action = 'An action looks like "post.hide", or "post." for every action on posts.';
    else {
      const prefix = values.action.endsWith('.') || !values.action.includes('.');
      filters.action = { value: prefix ? values.action.replace(/\.?$/, '.') : values.action, prefix };
    }
  }
  if (values.target) {
    const m = TARGET.exec(values.target);
    const type = m?.[1] as LogTargetType | undefined;
    if (!m || !type || !(logTargetTypes as readonly string[]).includes(type)) {
      errors.target = `A target is one of ${logTargetTypes.join(', ')}, optionally with an id: "post:12".`;
    } else {
      filters.target = { type, ...(m[2] !== undefined ? { id: Number(m[2]) } : {}) };
    }
  }
  if (q.before !== undefined && q.before !== '') {
    if (!/^\d{1,15}$/.test(q.before)) errors.before = 'That page of the log does not exist.';
    else filters.before = Number(q.before);
  }
  return { values, filters, errors };
}

/** The address of a page of the log with these filters (and, for the next page, `before`). */
export function logUrl(values: Record<string, string>, before?: number): string {
  const params = new URLSearchParams();
  for (const key of ['actor', 'action', 'target'] as const) if (values[key]) params.set(key, values[key]);
  if (before !== undefined) params.set('before', String(before));
  const query = params.toString();
  return query ? `/mod/log?${query}` : '/mod/log';
}

export interface ChangeLine {
  /** The field that changed ('' when the value is not an object of fields). */
  field: string;
  before: string;
  after: string;
  /** Long or multi-line text (a post's body): shown folded, in full. */
  long: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as the page writes it: text as it is, `none` for null, `—` for absent, JSON otherwise. */
function show(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'none';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

const isLong = (...texts: string[]) => texts.some((t) => t.length > 80 || t.includes('\n'));

/**
 * What a line changed, field by field: only the fields whose value differs (a creation lists
 * every field it set). Values that are not objects give one line.
 */
export function changeLines(before: unknown, after: unknown): ChangeLine[] {
  if ((before === null || before === undefined) && (after === null || after === undefined)) return [];
  if ((isRecord(before) || before == null) && (isRecord(after) || after == null)) {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return fields
      .filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]))
      .map((field) => {
        const line = { field, before: show(b[field]), after: show(a[field]) };
        return { ...line, long: isLong(line.before, line.after) };
      });
  }
  const line = { field: '', before: show(before), after: show(after) };
  return [{ ...line, long: isLong(line.before, line.after) }];
}

/**
 * Where a line's target is read, if it has a page: posts and threads by id, members and
 * categories by their current name (joined in by the query), the others nowhere.
 */
export function targetHref(line: { target_type: LogTargetType; target_id: number | null; target_username: string | null; target_slug: string | null }): string | null {
  switch (line.target_type) {
    case 'post':
      return line.target_id !== null ? `/p/${line.target_id}` : null;
    case 'thread':
      return line.target_id !== null ? `/t/${line.target_id}` : null;
    case 'user':
      return line.target_username !== null ? `/u/${encodeURIComponent(line.target_username)}` : null;
    case 'category':
      return line.target_slug !== null ? `/c/${line.target_slug}` : null;
    default:
      return null;
  }
}

/** "2026-03-04 17:05 UTC": the log is read across time zones, so it says which. */
export function logTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

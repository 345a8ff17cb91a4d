// {{date createdAt}} → "24 Nov 2026"; {{date createdAt "iso"}} → the ISO string, for <time datetime>.
const format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export function date(value: unknown, style?: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return style === 'iso' ? d.toISOString() : format.format(d);
}

// {{date createdAt}} → "24 Nov 2026"; {{date createdAt "iso"}} → the ISO string, for <time datetime>;
// {{date signedInAt "time"}} → "24 Nov 2026, 14:05 UTC".
const format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const withTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

export function date(value: unknown, style?: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  if (style === 'iso') return d.toISOString();
  return style === 'time' ? `${withTime.format(d)} UTC` : format.format(d);
}

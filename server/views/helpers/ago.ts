// {{ago lastPostAt}} → "5 min ago", "3 h ago", "2 d ago", then the date itself.
import { date } from './date.ts';

export function ago(value: unknown): string {
  if (!(value instanceof Date)) return date(value);
  const seconds = Math.max(0, (Date.now() - value.getTime()) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 30 * 86400) return `${Math.floor(seconds / 86400)} d ago`;
  return date(value);
}

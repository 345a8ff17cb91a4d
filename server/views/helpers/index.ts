import { ago } from './ago.ts';
import { avatar } from './avatar.ts';
import { date } from './date.ts';
import { eq } from './eq.ts';
import { plural } from './plural.ts';
import { rankName } from './rank-name.ts';

// Handlebars passes its options object as the last argument; helpers here take only values.
export const helpers: Record<string, (...args: any[]) => unknown> = {
  ago: (v) => ago(v),
  avatar: (owner, size, loading) => avatar(owner, size, typeof loading === 'string' ? loading : undefined),
  date: (v, style) => date(v, typeof style === 'string' ? style : undefined),
  eq: (a, b) => eq(a, b),
  plural: (n, one, many) => plural(n, one, many),
  rankName: (r) => rankName(r),
};

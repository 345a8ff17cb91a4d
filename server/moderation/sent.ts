// What a form's `load` reads of its request. It draws a refused form again, and a form may be
// refused before validation (an expired CSRF token, a right the viewer lacks) as well as by it,
// so the path and the body are whatever was sent, whatever the route's schema says they will be.
import { wrongAddress } from '../errors.ts';

/** A text field of a body, or a parameter of a path, as sent: undefined unless it is one string. */
export function sentText(from: unknown, field: string): string | undefined {
  if (from === null || typeof from !== 'object') return undefined;
  const value: unknown = Reflect.get(from, field);
  return typeof value === 'string' ? value : undefined;
}

/**
 * The row id in a path: the number validation made of it, or before validation the digits the
 * address holds. One that is no row id (server/schemas.ts, rowId) gets the answer the address
 * gets from validation, the page not found, and never reaches a query it would make fail.
 */
export function sentId(params: unknown, field = 'id'): number {
  const value: unknown = params !== null && typeof params === 'object' ? Reflect.get(params, field) : undefined;
  const id = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw wrongAddress(404, 'That page could not be found.');
  return id;
}

// JSON-schema pieces that many routes' inputs are made of, and the list cursor a schema cannot check.
//
// How a route gets its request types: its plugin is a `FastifyPluginAsyncJsonSchemaToTs`
// (@fastify/type-provider-json-schema-to-ts), so `req.params`, `req.query` and `req.body` are
// typed from the schema the route declares, never cast. That holds only while a schema keeps
// its literal types: write it `as const` (or inline in the route), and build its pieces with
// these helpers, which are `as const` themselves (a `{ type: string }` would type as unknown).
// A function a handler hands its request to takes `RequestOf<{ params: typeof idParams }>`,
// or better the value it needs. A form's `load` and a preValidation hook see the body as it
// was sent, before validation (a CSRF refusal comes before it): they read it as `unknown`.
import type { FastifyRequest, FastifySchema, RawRequestDefaultExpression, RawServerDefault, RouteGenericInterface } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { wrongAddress } from './errors.ts';

/** The request of a route with this schema, as a function outside its handler receives it. */
export type RequestOf<S extends FastifySchema> = FastifyRequest<RouteGenericInterface, RawServerDefault, RawRequestDefaultExpression, S, JsonSchemaToTsProvider>;

/** A form field: a string of at most `max` characters (the rules give friendlier limits). */
export const text = (max: number) => ({ type: 'string', maxLength: max }) as const;

/** The hidden CSRF field every form carries. */
export const csrfField = text(200);

/**
 * A row id. The columns are bigint, but ids are read into JavaScript numbers (server/db), so the
 * bound is 2^53 - 1: a larger one would no longer be the id it was written as, and one past
 * bigint would make PostgreSQL fail the query.
 */
export const rowId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

/** `/…/:id` where id is a row id; a malformed one answers 404 (server/views/errors.ts). */
export const idParams = {
  type: 'object',
  properties: { id: rowId, slug: text(200) },
  required: ['id'],
} as const;

/** A form whose only field is the CSRF token (toggles, sign-out). */
export const emptyForm = { type: 'object', properties: { _csrf: csrfField } } as const;

/** The years a date in an address (a list's cursor) may name: what the lists can hold, with room. */
const CURSOR_YEARS = [1970, 9999] as const;

/**
 * `<ISO time>_<id>`: the last row of the previous page of a list ordered by a time, then by id.
 * Undefined when there is none; null when it names no page a list could have (not a time, a
 * year outside 1970–9999, an id past a row id), which the route answers as not found: such a
 * date or id would make PostgreSQL fail the query.
 */
export function parseTimeCursor(raw: string | undefined): { at: Date; id: number } | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  const m = /^(.{1,40})_(\d{1,16})$/.exec(raw);
  if (!m) return null;
  const at = new Date(m[1]);
  const id = Number(m[2]);
  if (Number.isNaN(at.getTime()) || !Number.isSafeInteger(id) || id < 1) return null;
  const year = at.getUTCFullYear();
  return year >= CURSOR_YEARS[0] && year <= CURSOR_YEARS[1] ? { at, id } : null;
}

// What a form's `load` reads of its request. It draws a refused form again, and a form may be
// refused before validation (an expired CSRF token, a right the viewer lacks) as well as by it,
// so the path and the body are whatever was sent, whatever the route's schema says they will be.

/** A text field of a body, or a parameter of a path, as sent: undefined unless it is one string. */
export function sentText(from: unknown, field: string): string | undefined {
  if (from === null || typeof from !== 'object') return undefined;
  const value: unknown = Reflect.get(from, field);
  return typeof value === 'string' ? value : undefined;
}

/**
 * The row id in a path: the number validation made of it, or before validation the text of the
 * address read as validation reads it (as a JavaScript number: `012`, `1e3` and `0x10` are ids
 * there too). One that is no row id (rowId) gets the answer the address gets from validation,
 * the page not found, and never reaches a query it would make fail.
 */
export function sentId(params: unknown, field = 'id'): number {
  const value: unknown = params !== null && typeof params === 'object' ? Reflect.get(params, field) : undefined;
  const id = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw wrongAddress(404, 'That page could not be found.');
  return id;
}

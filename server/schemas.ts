// JSON-schema pieces that many routes' inputs are made of.

/** A form field: a string of at most `max` characters (the rules give friendlier limits). */
export const text = (max: number) => ({ type: 'string', maxLength: max }) as const;

/** The hidden CSRF field every form carries. */
export const csrfField = text(200);

/** `/…/:id` where id is a row id; a malformed one answers 404 (server/views/errors.ts). */
export const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 }, slug: text(200) },
  required: ['id'],
} as const;

/** A form whose only field is the CSRF token (toggles, sign-out). */
export const emptyForm = { type: 'object', properties: { _csrf: csrfField } } as const;

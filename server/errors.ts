// One way to fail: throw an HttpError anywhere; the error handler in server/views/errors.ts
// renders it (the form again with the input kept for 4xx on a form route, a page otherwise).
export type FieldErrors = Record<string, string>;

export class HttpError extends Error {
  constructor(
    public statusCode: number,
    message: string,
    public fieldErrors: FieldErrors = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'That page') => new HttpError(404, `${what} could not be found.`);
export const forbidden = (why = 'You are not allowed to do that.') => new HttpError(403, why);
export const invalid = (fieldErrors: FieldErrors, message = 'Please correct the marked fields.') =>
  new HttpError(422, message, fieldErrors);

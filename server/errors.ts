// One way to fail: throw an HttpError anywhere; the error handler in server/views/errors.ts
// renders it (the form again with the input kept for 4xx on a form route, a page otherwise).
export type FieldErrors = Record<string, string>;

export class HttpError extends Error {
  /** For a 429: seconds until trying again is worth it (sent as Retry-After). */
  retryAfter?: number;
  /**
   * The address itself is wrong (a malformed id, a null byte in it): even on a form's route the
   * answer is an error page, as there is no page around the form to draw again.
   */
  wrongAddress?: boolean;

  constructor(
    public statusCode: number,
    message: string,
    public fieldErrors: FieldErrors = {},
  ) {
    // An answer, not a fault: the stack says nothing the status and message do not, and capturing
    // it is most of what making one costs, which pages do for every post whose buttons a viewer
    // may not have (server/threads/post-view.ts asks the permissions module five times a post).
    // A fault keeps its own error and stack; the handler logs that one.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** Too soon: the message says how long to wait, and so does the Retry-After header. */
export const tooSoon = (message: string, seconds: number) => Object.assign(new HttpError(429, message), { retryAfter: Math.max(1, Math.ceil(seconds)) });

export const notFound = (what = 'That page') => new HttpError(404, `${what} could not be found.`);
/** An address that names nothing that could exist (see `wrongAddress`). */
export const wrongAddress = (status: number, message: string) => Object.assign(new HttpError(status, message), { wrongAddress: true });
export const forbidden = (why = 'You are not allowed to do that.') => new HttpError(403, why);
export const invalid = (fieldErrors: FieldErrors, message = 'Please correct the marked fields.') =>
  new HttpError(422, message, fieldErrors);

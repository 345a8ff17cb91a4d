// The one error handler. A rejected form (validation, a rule, an expired CSRF token, a rate
// limit) renders its form again with the input kept and each error beside its field; other
// failures render an error page. A 500 shows the request id and is logged.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, wrongAddress, type FieldErrors } from '../errors.ts';

export interface FormConfig {
  /** The page template that holds the form (views/pages/<template>.hbs). */
  template: string;
  title: string;
  /** Fields never sent back to the browser. */
  secret?: string[];
  /** What else the page needs to render again (the thread around a reply form). */
  load?: (req: FastifyRequest) => Promise<Record<string, unknown>>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    form?: FormConfig;
  }
}

/** Ajv errors (with ajv-errors' messages) to one message per field. */
function fieldErrorsOf(error: FastifyError): FieldErrors {
  const fields: FieldErrors = {};
  for (const e of error.validation ?? []) {
    const { params } = e;
    const missing = (params.errors as { params?: { missingProperty?: string } }[] | undefined)?.[0]?.params
      ?.missingProperty;
    const field = missing ?? (params.missingProperty as string | undefined) ?? e.instancePath.replace(/^\//, '');
    if (field && !fields[field]) fields[field] = e.message ?? 'This value is not valid.';
  }
  return fields;
}

function toHttpError(error: FastifyError | HttpError): HttpError {
  if (error instanceof HttpError) return error;
  // A malformed id in the path names no page: that is "not found", not a form error.
  if (error.validation && error.validationContext === 'params') return wrongAddress(404, 'That page could not be found.');
  // A page's address with a wrong value (a cursor past any row): no field shows it, so the message names it.
  if (error.validation && error.validationContext === 'querystring') {
    const fields = fieldErrorsOf(error);
    const said = Object.entries(fields).map(([field, message]) => `${field} ${message}`).join('; ');
    return new HttpError(422, said ? `This address is not valid: ${said}.` : 'This address is not valid.', fields);
  }
  if (error.validation) {
    const fields = fieldErrorsOf(error);
    return new HttpError(422, Object.keys(fields).length ? 'Please correct the marked fields.' : 'This request is not valid.', fields);
  }
  if (error.code?.startsWith('FST_CSRF')) {
    return new HttpError(403, 'This form had expired. Please check it and submit it again.');
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new HttpError(413, 'That is more than this form accepts.');
  if (status >= 400 && status < 500) return new HttpError(status, 'This request is not valid.');
  return new HttpError(500, 'Something went wrong on our side.');
}

/**
 * A null byte (refused by server/security) comes back as the replacement character: the member
 * sees where it was, and the text sent again as shown is taken.
 */
function shown(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\0', '\uFFFD');
  return Array.isArray(value) ? value.map(shown) : value;
}

function keptInput(body: unknown, secret: string[]): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key !== '_csrf' && !secret.includes(key)) values[key] = shown(value);
  }
  return values;
}

export async function errorHandler(this: unknown, error: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply) {
  const http = toHttpError(error);
  if (http.statusCode >= 500) req.log.error({ err: error, reqId: req.id }, 'request failed');
  if (reply.sent) return;
  if (http.statusCode === 429) reply.header('Retry-After', http.retryAfter ?? reply.getHeader('retry-after') ?? '60');

  const form = req.routeOptions?.config?.form;
  // The form's page is drawn again for any refusal, an expired CSRF token or a 403 included, so
  // that the member's text survives: every form's `load` checks the viewer itself, and throws
  // to a viewer who may not see the page (a guest, a post hidden from them) the refusal its GET
  // gives them, which they get instead of the form.
  if (form && http.statusCode < 500 && req.method === 'POST' && !http.wrongAddress) {
    let context: Record<string, unknown> = {};
    try {
      context = form.load ? await form.load(req) : {};
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return errorPage(err, req, reply);
    }
    return reply.page(
      form.template,
      {
        title: form.title,
        ...context,
        values: keptInput(req.body, form.secret ?? ['password']),
        errors: http.fieldErrors,
        error: http.message,
      },
      http.statusCode,
    );
  }
  if (req.headers.accept === 'application/json' || req.url.startsWith('/healthz') || req.url.startsWith('/readyz')) {
    return reply.code(http.statusCode).send({ error: http.message, requestId: req.id });
  }
  return errorPage(http, req, reply);
}

function errorPage(http: HttpError, req: FastifyRequest, reply: FastifyReply) {
  return reply.page(
    'errors/error',
    {
      title: ({ 400: 'Bad request', 401: 'Please sign in', 403: 'Not allowed', 404: 'Not found' } as Record<number, string>)[http.statusCode] ?? 'Error',
      status: http.statusCode,
      message: http.message,
      requestId: http.statusCode >= 500 ? req.id : null,
      signIn: http.statusCode === 401 && req.method === 'GET' ? req.url : null,
    },
    http.statusCode,
  );
}

export async function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return reply.page('errors/error', { title: 'Not found', status: 404, message: 'That page could not be found.' }, 404);
}

// The security baseline shared by every route: headers and a strict CSP, form bodies,
// CSRF tokens on every state-changing request, and rate limits stored in PostgreSQL.
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { HttpError, wrongAddress, type FieldErrors } from '../errors.ts';
import { pgRateLimitStore } from './rate-limit-store.ts';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_COOKIE = 'hearth_csrf';

const NULL_BYTES = 'Null bytes are not allowed.';

/** Whether a parsed body holds a null byte anywhere (walked without recursion: JSON nests deep). */
function holdsNullByte(value: unknown): boolean {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        if (key.includes('\0')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/** The fields of a body that hold a null byte, each with the message shown beside it; null if none. */
function nullByteFields(body: unknown): FieldErrors | null {
  if (!holdsNullByte(body)) return null;
  const fields: FieldErrors = {};
  if (body !== null && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (key.includes('\0') || holdsNullByte(value)) fields[key] = 'This holds a null byte (shown as \uFFFD), which cannot be stored: remove it and send it again.';
    }
  }
  return fields;
}

export const security = fp(
  async (app, opts: { https: boolean; secret: string }) => {
    // Helmet's middleware is built once (its Fastify wrapper builds it again on every request,
    // reading the policy each time) and sets the headers on each answer.
    const secureHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'https:', 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      // HSTS only means something over https.
      strictTransportSecurity: opts.https ? { maxAge: 15552000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onRequest', (req, reply, done) => secureHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));

    await app.register(formbody, { bodyLimit: 256 * 1024 });

    // The CSRF secret lives in its own cookie, so a guest reading pages costs no session row;
    // the token is bound to the signed-in member (or to "guest") so one member's token cannot
    // be replayed for another.
    await app.register(csrf, {
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: opts.https },
      getUserInfo: (req) => String(req.session?.userId ?? 'guest'),
      csrfOpts: { hmacKey: opts.secret },
      getToken: (req) => {
        const { body } = req;
        const fromBody = body && typeof body === 'object' && '_csrf' in body && typeof body._csrf === 'string' ? body._csrf : undefined;
        return fromBody ?? (req.headers[CSRF_HEADER] as string | undefined);
      },
    });
    // Checked before the body is validated, so that a forged request learns nothing. A multipart
    // route (server/uploads/routes.ts) reads its fields, token included, only in its own
    // preValidation, after this one: it asks for the same check itself once they are read.
    app.addHook('preValidation', async (req, reply) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
      if (req.routeOptions.config.csrfAfterMultipart && req.isMultipart?.()) return;
      await new Promise<void>((resolve, reject) =>
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
      );
    });

    // PostgreSQL's text holds no null byte: one in the address or in a field would fail the
    // query that reads or writes it. Refused here once for every route, once the body is read
    // (so a form comes back with the member's input kept and the error beside the field).
    app.addHook('preValidation', async (req) => {
      if (/%00|\0/.test(req.url)) throw wrongAddress(400, NULL_BYTES);
      const fields = nullByteFields(req.body);
      if (fields) throw new HttpError(400, NULL_BYTES, fields);
    });

    await app.register(rateLimit, {
      global: false,
      store: pgRateLimitStore(app.db),
      hook: 'preHandler',
      errorResponseBuilder: (_req, ctx) =>
        new HttpError(429, `Too many attempts. Please wait ${ctx.after} and try again.`),
    });
  },
  { name: 'security', dependencies: ['database', 'sessions'] },
);

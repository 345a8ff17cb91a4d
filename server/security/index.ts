// The security baseline shared by every route: headers and a strict CSP, form bodies,
// CSRF tokens on every state-changing request, and rate limits stored in PostgreSQL.
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.ts';
import { deleteExpiredRateLimits, pgRateLimitStore } from './rate-limit-store.ts';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_COOKIE = 'hearth_csrf';

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
        const body = req.body as Record<string, unknown> | undefined;
        const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
        return fromBody ?? (req.headers[CSRF_HEADER] as string | undefined);
      },
    });
    // Checked before the body is validated, so that a forged request learns nothing.
    app.addHook('preValidation', async (req, reply) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
      await new Promise<void>((resolve, reject) =>
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
      );
    });

    await app.register(rateLimit, {
      global: false,
      store: pgRateLimitStore(app.db),
      hook: 'preHandler',
      errorResponseBuilder: (_req, ctx) =>
        new HttpError(429, `Too many attempts. Please wait ${ctx.after} and try again.`),
    });
    const sweep = setInterval(() => deleteExpiredRateLimits(app.db).catch(() => {}), 10 * 60 * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'security', dependencies: ['database', 'sessions'] },
);

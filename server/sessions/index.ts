// Cookies, sessions stored in PostgreSQL, and `request.viewer` (the signed-in member or null).
// A guest gets no session row until something is stored in it (signing in).
import fastifyCookie, { Signer, type UnsignResult } from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyBaseLogger, FastifyRequest, onRequestAsyncHookHandler, onSendHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/index.ts';
import type { Viewer } from '../permissions.ts';
import { LastSeen } from './last-seen.ts';
import { deleteExpiredSessions, SEEN_KEY, SessionStore, SIGNED_IN_FROM, VIEWER_KEY, type SignedInFrom } from './store.ts';

declare module 'fastify' {
  interface Session {
    userId?: number;
    [VIEWER_KEY]?: Viewer | null;
    [SIGNED_IN_FROM]?: SignedInFrom;
    [SEEN_KEY]?: Date;
  }
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

export const SESSION_COOKIE = 'hearth_session';

/**
 * @fastify/cookie's signer for the session cookie, remembering what it worked out: a signed-in
 * page checks the cookie's signature and signs the id again, two HMACs for the same answer on
 * every page. Only good signatures are remembered, a bounded number of them.
 */
class RememberingSigner {
  private signer: Signer;
  private signed = new Map<string, string>();
  private checked = new Map<string, UnsignResult>();

  constructor(secret: string) {
    this.signer = new Signer(secret, 'sha256');
  }

  private static remember<T>(map: Map<string, T>, key: string, value: T) {
    if (map.size >= 10_000) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  sign(value: string): string {
    let signed = this.signed.get(value);
    if (signed === undefined) RememberingSigner.remember(this.signed, value, (signed = this.signer.sign(value)));
    return signed;
  }

  unsign(input: string): UnsignResult {
    const known = this.checked.get(input);
    if (known) return known;
    const result = this.signer.unsign(input);
    if (result.valid && !result.renew) RememberingSigner.remember(this.checked, input, Object.freeze(result));
    return result;
  }
}
const THIRTY_DAYS = 30 * 24 * 60 * 60 * 1000;

const withSecure = (line: string) => (/;\s*secure\s*(;|$)/i.test(line) ? line : `${line}; Secure`);

/** Marks every cookie of an answer Secure, whoever set it (session, CSRF, flash, a cleared one). */
const secureCookies: onSendHookHandler = (_req, reply, payload, done) => {
  const lines = reply.getHeader('set-cookie');
  if (lines !== undefined) {
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', Array.isArray(lines) ? lines.map(withSecure) : withSecure(String(lines)));
  }
  done(null, payload);
};

export const sessions = fp(
  async (app, opts: { secret: string; https: boolean; beforeSession?: onRequestAsyncHookHandler }) => {
    await app.register(fastifyCookie, { secret: opts.secret });
    // Between reading the cookies and loading the session: the guest page cache (server/views).
    if (opts.beforeSession) app.addHook('onRequest', opts.beforeSession);
    await app.register(fastifySession, {
      secret: new RememberingSigner(opts.secret),
      cookieName: SESSION_COOKIE,
      store: new SessionStore(app.db, app.pageCache),
      saveUninitialized: false,
      // Saving on every request would write a row per page view; a session is saved when it changes.
      rolling: false,
      // Not Secure here: @fastify/session would then keep no session for a request it takes for
      // plain http, and a proxy in front need not say it spoke https. secureCookies decides.
      cookie: { httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAge: THIRTY_DAYS },
    });
    // Under an https BASE_URL the browser speaks https, whatever the request looks like here;
    // after the session's own onSend, which sets its cookie there.
    if (opts.https) app.addHook('onSend', secureCookies);

    app.decorateRequest('viewer', null);
    const lastSeen = new LastSeen(app.db, app.log, () => app.now());
    // Before the body is validated: a form refused by its schema or its CSRF token is drawn again
    // for the member who sent it (its `load` asks who they are), not for a guest.
    app.addHook('preValidation', async (request) => {
      const userId = request.session.userId;
      if (!userId) return;
      // Loaded with the session (SessionStore.get), in the same query.
      const viewer = request.session[VIEWER_KEY];
      if (!viewer || viewer.id !== userId) delete request.session.userId;
      // A suspended member's sessions stop counting (a suspension also ends them; this covers
      // the moment in between): they are a guest until the suspension ends.
      else if (viewer.suspendedUntil && viewer.suspendedUntil > app.now()) return;
      else {
        request.viewer = viewer;
        await lastSeen.stamp(request.session.sessionId, request.session[SEEN_KEY]);
      }
    });
  },
  { name: 'sessions', dependencies: ['database'] },
);

/** The hourly sweep (a scheduled job, server/jobs): it has only the log to tell of a failure. */
export async function sweepExpiredSessions(db: Db, log: Pick<FastifyBaseLogger, 'warn'>): Promise<void> {
  try {
    await deleteExpiredSessions(db);
  } catch (err) {
    log.warn({ err }, 'sessions: could not delete the expired sessions; the next sweep tries again');
  }
}

/** Where this request comes from, for the session it signs in (its row keeps it: the account page lists it). */
export function signedInFrom(req: { headers: Record<string, string | string[] | undefined>; ip: string }): SignedInFrom {
  // Shown as text on the account page and kept in text columns, which take no null byte: what a
  // header or a proxy's X-Forwarded-For said is cut to size and kept printable.
  const printable = (value: string, max: number) => value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);
  const agent = req.headers['user-agent'];
  const userAgent = typeof agent === 'string' ? printable(agent, 1000) : '';
  return { userAgent: userAgent === '' ? null : userAgent, address: printable(req.ip, 100) };
}

/** Signs this request's session in as the member under a new id, so that an id planted or known before is worth nothing after. */
export async function signInSession(req: FastifyRequest, userId: number) {
  await req.session.regenerate();
  req.session.userId = userId;
  req.session[SIGNED_IN_FROM] = signedInFrom(req);
}

/** Ends every session of a member (a suspension or a ban): they are signed out everywhere. */
export async function endSessionsOf(db: Db, userId: number) {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

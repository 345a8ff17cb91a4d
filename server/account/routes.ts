// /account: the member's own settings page, in sections (views/partials/account/), and the
// account's security: changing the password, the sessions the account is signed in with (ending
// one, or all), and the latest sign-ins.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../errors.ts';
import { csrfField, emptyForm, text } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { SESSION_COOKIE, endSessionsOf, signInSession } from '../sessions/index.ts';
import { answer } from '../views/index.ts';
import { hashPassword, verifyPassword, type PasswordCost } from '../accounts/passwords.ts';
import { passwordError } from '../accounts/rules.ts';
import { changePassword, endSession, passwordHashOf, recentSignIns, sessionsOf } from './queries.ts';
import { deviceName } from './rules.ts';
import { profileSections, profiles } from '../profiles/routes.ts';

export interface AccountOptions {
  passwordCost: PasswordCost;
  /** Password attempts are limited as sign-in attempts are. */
  limits: { loginPerMinute: number };
}

const passwordSchema = {
  body: {
    type: 'object',
    required: ['current_password', 'new_password'],
    properties: { current_password: text(4096), new_password: text(4096), _csrf: csrfField },
  },
} as const;

/** A session's public handle (migrations/0036): anything else names no session, and is not found. */
const handleParams = {
  type: 'object',
  properties: { handle: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } },
  required: ['handle'],
} as const;

export const account: FastifyPluginAsyncJsonSchemaToTs<{ Options: AccountOptions }> = async (app, opts) => {
  /** Everything the page's sections show, for the page and for a form of it drawn again. */
  async function sections(req: FastifyRequest) {
    const viewer = requireViewer(req);
    const [sessions, signIns, profile] = await Promise.all([
      sessionsOf(app.db, viewer.id, req.session.sessionId),
      recentSignIns(app.db, viewer.id),
      profileSections(req, app.db),
    ]);
    return {
      ...profile,
      sessions: sessions.map((s) => ({ ...s, device: deviceName(s.user_agent) })),
      hasOtherSessions: sessions.some((s) => !s.current),
      signIns: signIns.map((s) => ({ ...s, device: deviceName(s.user_agent) })),
    };
  }
  const accountForm = {
    template: 'accounts/account',
    title: 'Your account',
    // Neither password ever goes back into the page.
    secret: ['current_password', 'new_password'],
    load: sections,
  };

  app.get('/account', { preHandler: signInFirst }, async (req, reply) => {
    return reply.page(accountForm.template, { title: accountForm.title, values: {}, errors: {}, ...(await sections(req)) });
  });

  app.post(
    '/account/password',
    {
      schema: { body: passwordSchema.body },
      config: {
        form: accountForm,
        // Counted per member (a stolen session guessing at the password from many addresses),
        // per address for a guest, who is refused anyway.
        rateLimit: {
          max: opts.limits.loginPerMinute,
          timeWindow: 60 * 1000,
          keyGenerator: (req: FastifyRequest) => (req.session.userId ? `member:${req.session.userId}` : req.ip),
        },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const { current_password: current, new_password: next } = req.body;
      const hash = await passwordHashOf(app.db, viewer.id);
      if (!hash || !(await verifyPassword(hash, current))) {
        throw invalid({ current_password: 'That is not your current password.' }, 'Your password was not changed.');
      }
      const error = passwordError(next);
      if (error) throw invalid({ new_password: error }, 'Your password was not changed.');
      await changePassword(app.db, viewer.id, await hashPassword(next, opts.passwordCost), req.session.sessionId);
      // This session stays signed in, under a new id: the old one may be what leaked.
      await signInSession(req, viewer.id);
      return answer(req, reply, { redirect: '/account', flash: 'Your password is changed. Every other session of your account has been signed out.' });
    },
  );

  app.post('/account/sessions/:handle/end', { schema: { params: handleParams, body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const ended = await endSession(app.db, viewer.id, req.params.handle);
    if (ended === undefined) throw notFound('That session');
    if (ended === req.session.sessionId) return signedOut(req, reply, '/', 'You have signed out.');
    return answer(req, reply, { redirect: '/account', flash: 'That session is signed out.' });
  });

  app.post('/account/sessions/end-all', { schema: { body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    await endSessionsOf(app.db, viewer.id);
    return signedOut(req, reply, '/login', 'You have signed out everywhere.');
  });

  // The profile and avatar sections' forms, and the avatars themselves (server/profiles/), drawn
  // again on this page when refused.
  await app.register(profiles, { form: accountForm, storage: app.uploads });

  /** This browser's session is gone (its row already, or with it): the cookie goes too. */
  async function signedOut(req: FastifyRequest, reply: FastifyReply, to: string, flash: string) {
    await req.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return answer(req, reply, { redirect: to, flash });
  }
};

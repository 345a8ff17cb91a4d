// Registration, sign-in, sign-out and the profile page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, notFound } from '../errors.ts';
import { csrfField, emptyForm, text } from '../schemas.ts';
import { SESSION_COOKIE, signedInFrom, signInSession } from '../sessions/index.ts';
import { answer } from '../views/index.ts';
import { decoyHash, verifyPassword, type PasswordCost } from './passwords.ts';
import { createAccount, findByLogin, markSeen, memberId, profile, recentThreadsBy, recordSignIn } from './queries.ts';
import { safeNext } from './rules.ts';
import { registrationModeRefusal } from './registration.ts';
import { signInRefusal } from '../moderation/sanctions/routes.ts';
import { sanctionView } from '../moderation/sanctions/rules.ts';
import { sanctionsOf } from '../moderation/sanctions/queries.ts';
import { canSanction, hasRole } from '../permissions.ts';
import { HONEYPOT_FIELD, registrationRefusal, stampTime } from '../moderation/posting/spam.ts';
import { loadSetting } from '../moderation/settings/queries.ts';
import { reputationHistory } from '../reputation/queries.ts';
import { profileBadges } from '../badges/queries.ts';
import { explainMemberRank } from '../ranks/standing.ts';
import { nominationPanel } from '../nominations/routes.ts';
import { registerByInvite } from '../invites/queries.ts';

export interface AccountsOptions {
  passwordCost: PasswordCost;
  limits: { loginPerMinute: number; registerPerHour: number };
}


const registerSchema = {
  body: {
    type: 'object',
    required: ['username', 'email', 'password'],
    properties: {
      username: text(100), email: text(320), password: text(4096), _csrf: csrfField,
      // The bot traps: a field people never see, and the signed time the form was served.
      [HONEYPOT_FIELD]: text(500), started: text(200),
      // An invite's code, kept from its page (server/invites/routes.ts).
      invite: text(100),
    },
  },
} as const;

const loginSchema = {
  body: {
    type: 'object',
    required: ['login', 'password'],
    properties: { login: text(320), password: text(4096), next: text(2000), _csrf: csrfField },
  },
} as const;

const nextQuery = { querystring: { type: 'object', properties: { next: text(2000) } } } as const;

/**
 * Usernames and emails typed with stray spaces are still what the member meant. Runs before
 * validation, so the body is whatever was sent, whatever its schema says it will be.
 */
function trimFields(body: unknown, fields: readonly string[]) {
  if (body === null || typeof body !== 'object') return;
  for (const f of fields) {
    const value = sentField(body, f);
    if (value !== undefined) Reflect.set(body, f, value.trim());
  }
}

/** A form's text field as it was sent, before (or without) validation: a form sent back is any body. */
function sentField(body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value: unknown = Reflect.get(body, field);
  return typeof value === 'string' ? value : undefined;
}

const WRONG_LOGIN = 'That username or email and password do not match an account.';

export const accounts: FastifyPluginAsyncJsonSchemaToTs<{ Options: AccountsOptions }> = async (app, opts) => {
  /**
   * The signed time the registration form was served. A form sent back keeps its first stamp
   * (the fill time counts from when it was first opened); a missing or forged one gets a new one.
   */
  const formStamp = (req: FastifyRequest) => {
    const now = app.now();
    const kept = sentField(req.body, 'started');
    return stampTime(kept, (v) => app.unsignCookie(v), now) ? kept! : app.signCookie(String(now.getTime()));
  };
  const registerForm = {
    template: 'accounts/register',
    title: 'Create an account',
    secret: ['password', 'started', HONEYPOT_FIELD],
    load: async (req: FastifyRequest) => ({ started: formStamp(req), refusal: await modeRefusal(sentField(req.body, 'invite')) }),
  };
  /** Why this registration form may not be used (closed, or invite only without an invite): shown in its place. */
  const modeRefusal = async (invite: string | undefined) => registrationModeRefusal((await app.site.get()).registrationMode, Boolean(invite?.trim()));
  const loginForm = { template: 'accounts/login', title: 'Sign in' };

  app.get('/register', async (req, reply) => {
    if (req.viewer) return reply.redirect('/', 303);
    return reply.page(registerForm.template, { title: registerForm.title, values: {}, errors: {}, started: formStamp(req), refusal: await modeRefusal(undefined) });
  });

  app.post(
    '/register',
    {
      schema: registerSchema,
      preValidation: async (req) => trimFields(req.body, ['username', 'email']),
      config: {
        form: registerForm,
        rateLimit: { max: opts.limits.registerPerHour, timeWindow: 60 * 60 * 1000 },
      },
    },
    async (req, reply) => {
      const { username, email, password, started, [HONEYPOT_FIELD]: honeypot } = req.body;
      const now = app.now();
      const servedAt = stampTime(started, (v) => app.unsignCookie(v), now);
      const code = (req.body.invite ?? '').trim();
      // Who may register (the registration_mode setting): anyone; by invite only; or nobody new,
      // where an invite still lets its invitee in. Said first: a closed door is the answer,
      // whatever else the form holds (the closed page has no form, so no stamp either).
      const closed = registrationModeRefusal((await app.site.get()).registrationMode, code !== '');
      if (closed) throw new HttpError(403, closed);
      const refusal = registrationRefusal({ honeypot, servedAt }, now, await loadSetting(app.db, 'registration_min_seconds'));
      if (refusal) throw new HttpError(422, refusal);
      const user = code
        ? await registerByInvite(app.db, { username, email, password }, code, opts.passwordCost, now)
        : await createAccount(app.db, { username, email, password }, opts.passwordCost);
      // Registering signs in: the first entry of the member's sign-ins (server/account).
      await signInSession(req, user.id);
      await recordSignIn(app.db, user.id, signedInFrom(req));
      reply.flash('notice', `Welcome to the community, ${user.username}!`);
      return reply.redirect('/', 303);
    },
  );

  app.get('/login', { schema: nextQuery }, async (req, reply) => {
    if (req.viewer) return reply.redirect('/', 303);
    return reply.page(loginForm.template, { title: loginForm.title, values: { next: safeNext(req.query.next) }, errors: {} });
  });

  app.post(
    '/login',
    {
      schema: loginSchema,
      preValidation: async (req) => trimFields(req.body, ['login']),
      config: { form: loginForm, rateLimit: { max: opts.limits.loginPerMinute, timeWindow: 60 * 1000 } },
    },
    async (req, reply) => {
      const { login, password, next } = req.body;
      const user = login ? await findByLogin(app.db, login) : undefined;
      // The same answer, and about the same time, for an unknown login and a wrong password.
      const ok = await verifyPassword(user?.password_hash ?? (await decoyHash(opts.passwordCost)), password);
      if (!user || !ok) throw new HttpError(401, WRONG_LOGIN);
      // The right password, but a suspension or a ban in force: its reason, its end, an appeal.
      const refusal = await signInRefusal(app, user);
      if (refusal) return reply.page('moderation/suspended', refusal, 403);
      // A new session id at sign-in, so that an id planted before it is worth nothing after.
      await signInSession(req, user.id);
      await Promise.all([markSeen(app.db, user.id), recordSignIn(app.db, user.id, signedInFrom(req))]);
      reply.flash('notice', `Signed in as ${user.username}.`);
      return reply.redirect(safeNext(next), 303);
    },
  );

  app.post('/logout', { schema: { body: emptyForm } }, async (req, reply) => {
    if (req.session.userId) await req.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return answer(req, reply, { redirect: '/', flash: 'You have signed out.' });
  });

  app.get(
    '/u/:username',
    { schema: { params: { type: 'object', properties: { username: text(100) }, required: ['username'] } } },
    async (req, reply) => {
      if (req.viewer) return showProfile(req.params.username, req, reply);
      // Guests share a member's rendered profile (the page cache), kept until the member's row
      // changes (user:<id>: reputation, rank, bio; a badge's notice announces it too), any thread
      // does (home: their threads and counts move with them), or a post's visibility (viewers: a
      // linked title in their reputation). Anything not announced (a badge told to no one) shows
      // within the minute every kept page is trusted for.
      const id = await memberId(app.db, req.params.username);
      if (id === undefined) throw notFound('That member');
      return reply.cached([`user:${id}`, 'home', 'viewers'], () => showProfile(req.params.username, req, reply));
    },
  );

  async function showProfile(username: string, req: FastifyRequest, reply: FastifyReply) {
    const member = await profile(app.db, username);
    if (!member) throw notFound('That member');
    const isSelf = req.viewer?.id === member.id;
    // Why the member holds their rank and what the next asks: theirs to see, and the staff's;
    // others see the rank's name alone (and the page costs them nothing more).
    const showStanding = isSelf || hasRole(req.viewer, 'staff');
    const [threads, reputation, sanctions, standing, nomination] = await Promise.all([
      recentThreadsBy(app.db, member.id, req.viewer),
      reputationHistory(app.db, member.reputation_events, req.viewer),
      // A member's sanctions are shown to them alone (moderators see them on the sanction page).
      isSelf ? sanctionsOf(app.db, member.id) : [],
      showStanding ? app.postingRules.get().then(({ settings }) => explainMemberRank(app.db, member.id, settings, app.now())) : null,
      // Staff nominate an Advocate for Ambassador from here (null for anyone else).
      nominationPanel(app.db, req.viewer, member),
    ]);
    return reply.page('accounts/profile', {
      title: member.username,
      member,
      threads,
      reputation,
      badges: profileBadges(member.badges),
      isSelf,
      standing,
      sanctions: sanctions.map((s) => sanctionView(s, app.now())),
      canSanction: canSanction(req.viewer, member),
      nomination,
    });
  }
};

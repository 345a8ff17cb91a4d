// Sanctions (warn, silence, suspend, ban) and the appeals members file against them.
//
// A suspended or banned member cannot sign in, so they cannot appeal as a signed-in member: the
// page that refuses their sign-in carries a short-lived token naming the sanction, signed with
// the app's secret, which stands in for the session on the appeal form.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { forbidden, HttpError, invalid, notFound } from '../../errors.ts';
import { canSanction, sanctionRefusal, type Viewer } from '../../permissions.ts';
import { csrfField, idParams, text, sentId, sentText } from '../../schemas.ts';
import { requireRight, requireViewer, signInFirst } from '../../sessions/guards.ts';
import { answer } from '../../views/index.ts';
import { fileAppeal } from './appeals.ts';
import {
  appealErrors,
  appealTokenValue,
  endText,
  kindWords,
  mayAppeal,
  parseSanction,
  quickDays,
  readAppealTokenValue,
  sanctionKinds,
  sanctionView,
} from './rules.ts';
import { imposeSanction, liftSanction, memberToSanction, sanctionBarringSignIn, sanctionById, sanctionsOf } from './queries.ts';

const usernameParams = { type: 'object', properties: { username: text(100) }, required: ['username'] } as const;

/** A token that lets whoever holds it appeal this sanction for a while (see the top of this file). */
export function appealToken(app: FastifyInstance, sanctionId: number): string {
  return app.signCookie(appealTokenValue(sanctionId, app.now()));
}

/** The sanction a token names, if it is genuine and fresh. */
function tokenSanction(app: FastifyInstance, token: string | undefined): number | null {
  if (!token) return null;
  const { valid, value } = app.unsignCookie(token);
  return valid && value ? readAppealTokenValue(value, app.now()) : null;
}

/**
 * What a member with the right password sees instead of being signed in, while a suspension or a
 * ban is in force: its reason and end, and a way to appeal (null: they may sign in).
 */
export async function signInRefusal(app: FastifyInstance, user: { id: number; suspended_until: Date | null; banned_at: Date | null }) {
  const now = app.now();
  // The mirror on the member's row answers the common case without a query.
  if (!user.banned_at && !(user.suspended_until && user.suspended_until > now)) return null;
  const barring = await sanctionBarringSignIn(app.db, user.id, now);
  if (!barring) return null;
  const sanction = sanctionView({ ...barring, lifted_at: null }, now);
  return {
    title: barring.kind === 'ban' ? 'Your account is banned' : 'Your account is suspended',
    sanction,
    token: sanction.canAppeal ? appealToken(app, barring.id) : null,
    values: {},
    errors: {},
  };
}

export const sanctions: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /** The member the form is about, if the viewer may sanction them (and what the form shows). */
  async function sanctionFormData(viewer: Viewer | null, username: string) {
    const member = await memberToSanction(app.db, username);
    if (!member || !canSanction(viewer, member)) return null;
    const now = app.now();
    // A sanction in force may be lifted early (a warning is never "in force": nothing to lift).
    const history = (await sanctionsOf(app.db, member.id)).map((s) => {
      const view = sanctionView(s, now);
      return { ...view, canLift: view.inForce };
    });
    return { member, sanctions: history, kinds: sanctionKinds, quickDays: quickDays.map(String) };
  }

  /** Moderators only; a member they may not sanction (staff, themselves) is refused, an unknown one is not found. */
  async function authorise(req: FastifyRequest, username: string) {
    const viewer = requireViewer(req);
    const member = await memberToSanction(app.db, username);
    const refused = sanctionRefusal(viewer, 'impose', member);
    if (refused) throw refused;
    if (!member) throw notFound('That member');
    return { viewer, member };
  }

  const sanctionForm = {
    template: 'moderation/sanction',
    title: 'Sanction',
    // Shown again only to a moderator who may sanction this member; to anyone else, just the error.
    load: async (req: FastifyRequest) => {
      const username = sentText(req.params, 'username');
      return (username === undefined ? null : await sanctionFormData(req.viewer, username)) ?? {};
    },
  };

  app.get('/u/:username/sanction', { schema: { params: usernameParams }, preHandler: signInFirst }, async (req, reply) => {
    const { member } = await authorise(req, req.params.username);
    const data = await sanctionFormData(req.viewer, req.params.username);
    return reply.page(sanctionForm.template, { title: `Sanction ${member.username}`, ...data, values: {}, errors: {} });
  });

  // Moderators' forms are refused to others before they are checked.
  const maySanction = requireRight('sanction', 'Sanctions are for moderators.');

  app.post(
    '/u/:username/sanction',
    {
      preValidation: maySanction,
      schema: {
        params: usernameParams,
        body: {
          type: 'object',
          properties: { kind: text(20), until: text(40), days: text(5), reason: text(5000), _csrf: csrfField },
        },
      },
      config: { form: sanctionForm },
    },
    async (req, reply) => {
      const { viewer, member } = await authorise(req, req.params.username);
      const now = app.now();
      const { sanction, errors } = parseSanction(req.body, now);
      if (!sanction) throw invalid(errors);
      await app.db.transaction().execute((tx) => imposeSanction(tx, { ...sanction, member, by: viewer.id, at: now }));
      const done = `${member.username} is ${kindWords[sanction.kind].done}${sanction.endsAt ? ` ${endText({ kind: sanction.kind, ends_at: sanction.endsAt })}` : ''}.`;
      return answer(req, reply, { redirect: `/u/${member.username}/sanction`, flash: done });
    },
  );

  app.post(
    '/sanctions/:id/lift',
    { preValidation: maySanction, schema: { params: idParams, body: { type: 'object', properties: { reason: text(1000), _csrf: csrfField } } } },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const sanction = await sanctionById(app.db, req.params.id);
      const refused = sanctionRefusal(viewer, 'lift', sanction && { id: sanction.user_id, role: sanction.role });
      if (refused) throw refused;
      if (!sanction) throw notFound('That sanction');
      const now = app.now();
      const state = sanctionView(sanction, now).state;
      if (sanction.kind === 'warn') throw new HttpError(409, 'A warning has nothing to lift.');
      if (state !== 'in force') throw new HttpError(409, state === 'lifted' ? 'This sanction was lifted already.' : 'This sanction has ended already.');
      const lifted = await app.db.transaction().execute((tx) =>
        liftSanction(tx, { sanctionId: sanction.id, by: viewer.id, at: now, reason: (req.body.reason ?? '').trim() }),
      );
      if (!lifted) throw new HttpError(409, 'This sanction was lifted already.');
      return answer(req, reply, { redirect: `/u/${sanction.username}/sanction`, flash: `The ${kindWords[sanction.kind].noun} of ${sanction.username} is lifted.` });
    },
  );

  /** The signed-in member's own sanctions: what, why, until when, and their appeals. */
  app.get('/sanctions', { preHandler: signInFirst }, async (req, reply) => {
    const viewer = requireViewer(req);
    const now = app.now();
    const list = (await sanctionsOf(app.db, viewer.id)).map((s) => sanctionView(s, now));
    return reply.page('moderation/sanctions', { title: 'Your sanctions', sanctions: list });
  });

  /**
   * Who is appealing: the sanctioned member signed in, or holding a token for this sanction.
   * Anyone else is refused; a guest without a token is asked to sign in.
   */
  async function appellant(viewer: Viewer | null, sanctionId: number, token: string | undefined) {
    const sanction = await sanctionById(app.db, sanctionId);
    if (!sanction) throw notFound('That sanction');
    if (viewer?.id === sanction.user_id) return { sanction, token: undefined };
    if (tokenSanction(app, token) === sanction.id) return { sanction, token };
    if (!viewer) throw new HttpError(401, token ? 'This page has expired: sign in again to appeal.' : 'Please sign in to appeal.');
    throw forbidden('This is not your sanction.');
  }

  async function appealFormData(viewer: Viewer | null, sanctionId: number, token: string | undefined) {
    const { sanction, token: held } = await appellant(viewer, sanctionId, token);
    return { sanction: sanctionView(sanction, app.now()), token: held };
  }

  const appealForm = {
    template: 'moderation/appeal',
    title: 'Appeal',
    // Drawn again only for the member appealing (or the holder of their token); anyone else gets
    // the refusal the form's GET gives them.
    load: async (req: FastifyRequest) => appealFormData(req.viewer, sentId(req.params), sentText(req.body, 'token')),
  };

  app.get(
    '/sanctions/:id/appeal',
    { schema: { params: idParams, querystring: { type: 'object', properties: { token: text(300) } } } },
    async (req, reply) => {
      const data = await appealFormData(req.viewer, req.params.id, req.query.token);
      return reply.page(appealForm.template, { title: `Appeal your ${data.sanction.noun}`, ...data, values: {}, errors: {} });
    },
  );

  app.post(
    '/sanctions/:id/appeal',
    {
      schema: { params: idParams, body: { type: 'object', required: ['body'], properties: { body: text(20000), token: text(300), _csrf: csrfField } } },
      config: { form: appealForm },
    },
    async (req, reply) => {
      const { body, token } = req.body;
      const { sanction, token: held } = await appellant(req.viewer, req.params.id, token);
      const now = app.now();
      if (sanction.appeal_id !== null) throw new HttpError(409, 'You have already appealed this sanction; a moderator will decide on it.');
      if (!mayAppeal(sanction, now)) throw new HttpError(409, `This ${kindWords[sanction.kind].noun} is no longer in force: there is nothing to appeal.`);
      const errors = appealErrors(body);
      if (Object.keys(errors).length) throw invalid(errors, errors.body);
      await fileAppeal(app.db, { sanctionId: sanction.id, userId: sanction.user_id, body, at: now });
      const flash = 'Your appeal is filed. A moderator will decide on it, and you will be told the outcome.';
      // Without a session the member goes back to the sign-in page, which tells them the rest.
      return answer(req, reply, { redirect: held ? '/login' : '/sanctions', flash });
    },
  );
};

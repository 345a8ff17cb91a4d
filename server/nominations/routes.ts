// Nominations for rank 4 (Ambassador). Staff nominate an Advocate from the member's profile (or
// the nomination page it links to, which shows the history and withdraws an open one); the
// member answers on /account/nomination, where their notification leads. Plain forms answered
// with a redirect; a refused one shows its page again with the note kept and the reason.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { forbidden, HttpError, notFound } from '../errors.ts';
import { canNominate, nominationRefusal, rankNames, type Viewer } from '../permissions.ts';
import { csrfField, idParams, sentText, text } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { answer } from '../views/index.ts';
import type { Db } from '../db/index.ts';
import { answerNomination, NOMINATION_PAGE, nominate, nominationsOf, nominee, openNomination } from './queries.ts';

const usernameParams = { type: 'object', properties: { username: text(100) }, required: ['username'] } as const;
const NOTE_MAX = 2000;

/**
 * What staff are offered about nominating this member, on the profile and the nomination page:
 * the open nomination (to withdraw), or the form, or why there is none (not an Advocate, an
 * Ambassador already). Null for anyone but staff, and for the staff member's own profile.
 */
export async function nominationPanel(db: Db, viewer: Viewer | null, member: { id: number; username: string; rank: number }) {
  if (!canNominate(viewer) || viewer?.id === member.id) return null;
  const open = await openNomination(db, member.id);
  const refused = nominationRefusal(viewer, member, open !== null);
  return { username: member.username, open, canNominate: refused === null, refusal: open ? null : (refused?.message ?? null) };
}

/** Refused before the form is read: a member hears the form is not theirs. */
async function staffOnly(req: FastifyRequest) {
  if (!req.viewer) throw new HttpError(401, 'Please sign in first.');
  if (!canNominate(req.viewer)) throw forbidden('Nominating members for Ambassador is for staff.');
}

export const nominations: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /** The nomination page's data for staff; a member by that name must exist. */
  async function nominatePage(viewer: Viewer | null, username: string) {
    if (!viewer) throw new HttpError(401, 'Please sign in first.');
    if (!canNominate(viewer)) throw forbidden('Nominating members for Ambassador is for staff.');
    const member = await nominee(app.db, username);
    if (!member) throw notFound('That member');
    const [panel, history] = await Promise.all([nominationPanel(app.db, viewer, member), nominationsOf(app.db, member.id)]);
    return { title: `Nominate ${member.username}`, member: { ...member, rankName: rankNames[member.rank] }, panel, history };
  }

  const nominateForm = {
    template: 'nominations/nominate',
    title: 'Nominate',
    load: async (req: FastifyRequest) => nominatePage(req.viewer, sentText(req.params, 'username') ?? ''),
  };

  app.get('/u/:username/nominate', { schema: { params: usernameParams }, preHandler: signInFirst }, async (req, reply) => {
    const data = await nominatePage(req.viewer, req.params.username);
    return reply.page(nominateForm.template, { ...data, values: {}, errors: {} });
  });

  app.post(
    '/u/:username/nominate',
    {
      preValidation: staffOnly,
      schema: { params: usernameParams, body: { type: 'object', properties: { note: text(NOTE_MAX + 1000), _csrf: csrfField } } },
      config: { form: nominateForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const member = await nominee(app.db, req.params.username);
      if (!member) throw notFound('That member');
      const note = (req.body.note ?? '').trim();
      if (note.length > NOTE_MAX) throw new HttpError(422, `A note is at most ${NOTE_MAX} characters.`, { note: `At most ${NOTE_MAX} characters (this one is ${note.length}).` });
      await nominate(app.db, { viewer, memberId: member.id, note, at: app.now() });
      return answer(req, reply, { redirect: `/u/${member.username}`, flash: `${member.username} is nominated for ${rankNames[4]}; they will be asked to accept.` });
    },
  );

  app.post(
    '/nominations/:id/withdraw',
    { preValidation: staffOnly, schema: { params: idParams, body: { type: 'object', properties: { _csrf: csrfField } } } },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const { member } = await answerNomination(app.db, { nominationId: req.params.id, by: viewer, answer: 'withdrawn', at: app.now() });
      return answer(req, reply, { redirect: `/u/${member.username}`, flash: `The nomination of ${member.username} is withdrawn.` });
    },
  );

  /** The member's own nomination page: their open nomination, if any, to accept or decline. */
  async function answerPage(viewer: Viewer) {
    const open = await openNomination(app.db, viewer.id);
    return { title: 'Your nomination', nomination: open, rank: viewer.rank, rankName: rankNames[viewer.rank] };
  }

  const answerForm = {
    template: 'nominations/answer',
    title: 'Your nomination',
    load: async (req: FastifyRequest) => answerPage(requireViewer(req)),
  };

  app.get(NOMINATION_PAGE, { preHandler: signInFirst }, async (req, reply) => {
    return reply.page(answerForm.template, { ...(await answerPage(requireViewer(req))), values: {}, errors: {} });
  });

  app.post(
    NOMINATION_PAGE,
    {
      schema: {
        body: {
          type: 'object',
          required: ['nomination', 'answer'],
          properties: { nomination: text(20), answer: { type: 'string', enum: ['accept', 'decline'] }, _csrf: csrfField },
        },
      },
      config: { form: answerForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      // The nomination the form was drawn for: a form left open while it was withdrawn and a new
      // one opened must not answer the new one.
      const id = /^\d{1,15}$/.test(req.body.nomination) ? Number(req.body.nomination) : null;
      if (id === null) throw new HttpError(422, 'That is not a nomination.', { nomination: 'That is not a nomination.' });
      const accepted = req.body.answer === 'accept';
      await answerNomination(app.db, { nominationId: id, by: viewer, answer: accepted ? 'accepted' : 'declined', at: app.now() });
      const flash = accepted ? `Welcome, ${rankNames[4]}! Your new rank shows on your profile and by your posts.` : 'You declined the nomination. Staff may ask again another time.';
      return answer(req, reply, { redirect: accepted ? `/u/${viewer.username}` : NOMINATION_PAGE, flash });
    },
  );
};

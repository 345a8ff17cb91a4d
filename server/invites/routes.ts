// Invite links. Staff and admins make them at /admin/invites (an expiry, a use limit, and
// optionally a role up to their own or a private category they may read) and revoke them; the
// invitee opens /invite/:code, which shows the invite above the registration form with the code
// kept in it. Registering with the code is server/accounts/routes.ts's, through registerByInvite.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, invalid, notFound } from '../errors.ts';
import { can, canReadCategory, inviteRoles } from '../permissions.ts';
import { readableCategories } from '../access/categories.ts';
import { csrfField, idParams, text } from '../schemas.ts';
import { requireRight } from '../sessions/guards.ts';
import { answer } from '../views/index.ts';
import type { Role } from '../db/schema.ts';
import { createInvite, INVITE_CODE, inviteByCode, inviteList, inviteRefusal, revokeInvite } from './queries.ts';

const DAY = 86400_000;

/** What the new-invite form starts with. */
export const inviteDefaults = { expires_days: 7, max_uses: 1 };

const inviteBody = {
  type: 'object',
  properties: {
    expires_days: text(10),
    max_uses: text(10),
    role: text(20),
    category: text(20),
    note: text(400),
    _csrf: csrfField,
  },
} as const;

const codeParams = { type: 'object', required: ['code'], properties: { code: text(100) } } as const;

/** A whole number from min to max as typed, or null. */
function wholeNumber(value: string | undefined, min: number, max: number): number | null {
  if (value === undefined || !/^\s*\d{1,6}\s*$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

export const invitePages: FastifyPluginAsyncJsonSchemaToTs<{ Options: { baseUrl: string } }> = async (app, opts) => {
  const guard = requireRight('invite', 'Invites are made by staff and admins.');

  /** The categories an invite may open: private ones (an open one needs no invite) the viewer reads. */
  async function privateCategories(req: FastifyRequest) {
    const readable = await readableCategories(app.db, req.viewer, { archived: true });
    const rows = await app.db.selectFrom('categories').select(['id', 'read_role', 'read_rank']).where('id', 'in', readable.map((c) => c.id).concat(0)).execute();
    const open = new Set(rows.filter((c) => canReadCategory(null, c)).map((c) => c.id));
    return readable.filter((c) => !open.has(c.id));
  }

  async function listPage(req: FastifyRequest) {
    const [invites, categories] = await Promise.all([inviteList(app.db), privateCategories(req)]);
    const now = app.now();
    return {
      title: 'Invites',
      roleChoices: inviteRoles(req.viewer),
      categoryChoices: categories.map((c) => ({ ...c, value: String(c.id) })),
      invites: invites.map((i) => ({ ...i, link: `${opts.baseUrl}/invite/${i.code}`, state: i.revoked_at ? 'revoked' : i.expires_at <= now ? 'expired' : i.used_count >= i.max_uses ? 'used up' : 'open' })),
    };
  }

  const listForm = { template: 'admin/invites', title: 'Invites', load: async (req: FastifyRequest) => (can(req.viewer, 'invite') ? listPage(req) : {}) };

  app.get('/admin/invites', { preValidation: guard }, async (req, reply) =>
    reply.page('admin/invites', { ...(await listPage(req)), values: { ...inviteDefaults, role: '', category: '' }, errors: {} }));

  app.post('/admin/invites', { preValidation: guard, schema: { body: inviteBody }, config: { form: listForm } }, async (req, reply) => {
    const viewer = req.viewer!;
    const { body } = req;
    const errors: Record<string, string> = {};
    const days = wholeNumber(body.expires_days ?? String(inviteDefaults.expires_days), 1, 365);
    if (days === null) errors.expires_days = 'Enter a whole number of days from 1 to 365.';
    const maxUses = wholeNumber(body.max_uses ?? String(inviteDefaults.max_uses), 1, 1000);
    if (maxUses === null) errors.max_uses = 'Enter a whole number of uses from 1 to 1000.';
    const role = (body.role ?? '') === '' ? null : (body.role as Role);
    if (role !== null && !inviteRoles(viewer).includes(role)) errors.role = 'An invite gives a role up to your own: choose one of those listed.';
    let categoryId: number | null = null;
    if ((body.category ?? '') !== '') {
      const id = wholeNumber(body.category, 1, Number.MAX_SAFE_INTEGER);
      const choices = await privateCategories(req);
      if (id === null || !choices.some((c) => c.id === id)) errors.category = 'Choose one of the private categories listed.';
      else categoryId = id;
    }
    const note = (body.note ?? '').trim();
    if (note.length > 200) errors.note = 'A note is at most 200 characters.';
    if (Object.keys(errors).length) throw invalid(errors);
    const now = app.now();
    const invite = await createInvite(app.db, { createdBy: viewer.id, expiresAt: new Date(now.getTime() + days! * DAY), maxUses: maxUses!, role, categoryId, note }, now);
    return answer(req, reply, { redirect: '/admin/invites', flash: `Invite made: ${opts.baseUrl}/invite/${invite.code}` });
  });

  app.post('/admin/invites/:id/revoke', { preValidation: guard, schema: { params: idParams, body: { type: 'object', properties: { _csrf: csrfField } } } }, async (req, reply) => {
    const invite = await revokeInvite(app.db, req.params.id, req.viewer!.id, app.now());
    if (!invite) throw notFound('That invite');
    return answer(req, reply, { redirect: '/admin/invites', flash: 'The invite is revoked: its link no longer works.' });
  });

  // The invite, and the registration form with its code kept. An invite that cannot be used says
  // why (gone: 404; expired or used up: 410), without the form.
  app.get('/invite/:code', { schema: { params: codeParams } }, async (req, reply) => {
    const { code } = req.params;
    const invite = INVITE_CODE.test(code) ? await inviteByCode(app.db, code) : undefined;
    const why = inviteRefusal(invite, app.now());
    if (why || !invite) throw new HttpError(invite && !invite.revoked_at ? 410 : 404, why ?? 'This invite is not valid.');
    const shown = { from: invite.created_by_name, role: invite.role && invite.role !== 'member' ? invite.role : null, category: invite.category_name, expires_at: invite.expires_at, left: invite.max_uses - invite.used_count };
    return reply.page('accounts/register', { title: 'You are invited', invite: shown, values: { invite: code }, errors: {}, started: app.signCookie(String(app.now().getTime())) });
  });
};

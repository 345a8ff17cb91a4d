// The admin dashboard: the community's size at a glance and members' roles.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { isRole } from '../accounts/rules.ts';
import { HttpError, invalid, notFound } from '../errors.ts';
import { can, rankNames, roles } from '../permissions.ts';
import { readableCategories } from '../access/categories.ts';
import { categoryErrors } from '../threads/rules.ts';
import { csrfField, idParams, text } from '../schemas.ts';
import { requireRight } from '../sessions/guards.ts';
import { isUniqueViolation } from '../db/index.ts';
import { answer } from '../views/index.ts';
import { categoryBody, categoryFields } from './categories.ts';
import { addCategory, changeRank, changeRole, communityTotals, members, adminCount } from './queries.ts';


export const admin: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addHook('preValidation', requireRight('view admin', 'This page is for administrators.'));

  async function dashboard(req: FastifyRequest) {
    const [totals, list, cats] = await Promise.all([communityTotals(app.db), members(app.db, 100), readableCategories(app.db, req.viewer)]);
    return {
      title: 'Admin',
      totals,
      categories: cats,
      roleChoices: roles,
      rankChoices: rankNames.map((label, value) => ({ value, label: `${value} · ${label}` })),
      members: list.map((m) => ({
        ...m,
        roleOptions: roles.map((r) => ({ value: r, selected: r === m.role })),
        // "By the rules" hands the rank back to the review; a number sets it and keeps it.
        rankOptions: [
          { value: 'rules', label: `By the rules (${rankNames[m.rank]} now)`, selected: !m.rank_locked },
          ...rankNames.map((label, value) => ({ value: String(value), label: `${value} · ${label}, kept`, selected: m.rank_locked && m.rank === value })),
        ],
      })),
    };
  }

  app.get('/', async (req, reply) => reply.page('admin/dashboard', { ...(await dashboard(req)), values: { color: '#2563eb' }, errors: {} }));

  app.post(
    '/categories',
    {
      schema: {
        body: categoryBody,
      },
      config: { form: { template: 'admin/dashboard', title: 'Admin', load: async (req: FastifyRequest) => (can(req.viewer, 'view admin') ? dashboard(req) : {}) } },
    },
    async (req, reply) => {
      // An empty slug is made from the name; an empty read role lets everyone read, guests included.
      const input = categoryFields(req.body);
      const errors = categoryErrors(input);
      if (Object.keys(errors).length) throw invalid(errors);
      try {
        await addCategory(app.db, input, req.viewer!.id);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        throw invalid({ slug: 'Another category already uses this address.' });
      }
      return answer(req, reply, { redirect: `/c/${input.slug}`, flash: `The category ${input.name} is created.` });
    },
  );

  app.post(
    '/users/:id/rank',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['rank'], properties: { rank: { type: 'string', enum: ['rules', '0', '1', '2', '3', '4'] }, _csrf: csrfField } },
      },
    },
    async (req, reply) => {
      const rank = req.body.rank === 'rules' ? null : Number(req.body.rank);
      const user = await changeRank(app.db, { userId: req.params.id, rank, by: req.viewer!.id, at: app.now() });
      if (!user) throw notFound('That member');
      const said = user.rank_locked ? `${user.username} is ${rankNames[user.rank]}, kept until changed by hand.` : `${user.username}'s rank follows the rules again.`;
      return answer(req, reply, { redirect: '/admin', flash: said });
    },
  );

  app.post(
    '/users/:id/role',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          // `from`: the member's admin page (server/members) sends its form back there.
          properties: { role: text(20), from: { type: 'string', enum: ['member'] }, _csrf: csrfField },
          required: ['role'],
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { role } = req.body;
      if (!isRole(role)) throw new HttpError(422, 'Choose one of member, moderator, staff or admin.');
      if (id === req.viewer!.id && role !== 'admin' && (await adminCount(app.db)) <= 1) {
        throw new HttpError(422, 'You are the only administrator; make someone else an admin first.');
      }
      const user = await changeRole(app.db, { userId: id, role, by: req.viewer!.id });
      if (!user) throw notFound('That member');
      return answer(req, reply, { redirect: req.body.from === 'member' ? `/admin/members/${id}` : '/admin', flash: `${user.username} is now ${user.role}.` });
    },
  );
};

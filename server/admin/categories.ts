// Admins' categories page: every category with who may read and post in it, its place in the
// lists and whether it is archived; its edit form; moving it up or down; archiving it. New
// categories are still created by POST /admin/categories (./routes.ts), from the form here too.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../errors.ts';
import { rankNames, roles } from '../permissions.ts';
import { categoryErrors } from '../threads/rules.ts';
import { slugify } from '../addresses.ts';
import { csrfField, idParams, text } from '../schemas.ts';
import { requireRight } from '../sessions/guards.ts';
import { isUniqueViolation } from '../db/index.ts';
import { answer } from '../views/index.ts';
import type { Role } from '../db/schema.ts';
import { allCategories, categoryById, editCategory, moveCategory, setArchived, type CategoryFields } from './category-queries.ts';

export const categoryBody = {
  type: 'object',
  required: ['name'],
  properties: {
    name: text(200),
    slug: text(200),
    description: text(2000),
    color: text(20),
    read_role: { type: 'string', enum: ['', 'member', 'moderator', 'staff', 'admin'] },
    read_rank: { type: 'integer', minimum: 0, maximum: 4 },
    post_role: { type: 'string', enum: ['member', 'moderator', 'staff', 'admin'] },
    post_rank: { type: 'integer', minimum: 0, maximum: 4 },
    position: { type: 'integer', minimum: 0, maximum: 10000 },
    _csrf: csrfField,
  },
} as const;

/** A category form as sent, read into its fields, as the create form reads them. */
export function categoryFields(body: {
  name: string; slug?: string; description?: string; color?: string;
  read_role?: string; read_rank?: number; post_role?: Role; post_rank?: number; position?: number;
}): CategoryFields {
  const name = body.name.trim();
  return {
    name,
    slug: (body.slug ?? '').trim().toLowerCase() || slugify(name),
    description: (body.description ?? '').trim(),
    color: (body.color ?? '').trim().toLowerCase() || '#6b7280',
    // Empty: everyone may read, guests included.
    read_role: (body.read_role || null) as Role | null,
    read_rank: body.read_rank ?? 0,
    post_role: body.post_role ?? 'member',
    post_rank: body.post_rank ?? 0,
    position: body.position ?? 0,
  };
}

const roleLabel = (role: Role | null) => (role ? `${role} and above` : 'everyone');
const rankLabel = (rank: number) => `${rank} · ${rankNames[rank] ?? ''}`;

/** What the list says of who may read and post, in words. */
export function accessWords(c: { read_role: Role | null; read_rank: number; post_role: Role; post_rank: number }) {
  const read = c.read_role === null && c.read_rank === 0 ? 'Everyone, guests included' : `${roleLabel(c.read_role)}, rank ${rankLabel(c.read_rank)} or more`;
  const post = `${roleLabel(c.post_role)}, rank ${rankLabel(c.post_rank)} or more`;
  return { read, post, staffOnly: c.read_role !== null && c.read_role !== 'member' };
}

const choices = {
  roleChoices: roles,
  rankChoices: rankNames.map((label, value) => ({ value, label: `${value} · ${label}` })),
};

const moveBody = { type: 'object', required: ['direction'], properties: { direction: { type: 'string', enum: ['up', 'down'] }, _csrf: csrfField } } as const;
const plainBody = { type: 'object', properties: { _csrf: csrfField } } as const;

export const adminCategories: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addHook('preValidation', requireRight('view admin', 'This page is for administrators.'));

  async function listPage() {
    const rows = await allCategories(app.db);
    return {
      title: 'Categories',
      ...choices,
      categories: rows.map((c, i) => ({ ...c, ...accessWords(c), first: i === 0, last: i === rows.length - 1 })),
    };
  }

  app.get('/categories', async (_req, reply) => reply.page('admin/categories', { ...(await listPage()), values: { color: '#2563eb' }, errors: {} }));

  async function loadEditable(id: number) {
    const category = await categoryById(app.db, id);
    if (!category) throw notFound('That category');
    return category;
  }

  const editForm = {
    template: 'admin/category-edit',
    title: 'Edit category',
    // A category that is not there is answered as its page would be, not with a form.
    load: async (req: FastifyRequest) => {
      const id = Number((req.params as { id?: unknown }).id);
      return { ...choices, category: await loadEditable(Number.isSafeInteger(id) ? id : 0) };
    },
  };

  app.get('/categories/:id', { schema: { params: idParams } }, async (req, reply) => {
    const category = await loadEditable(req.params.id);
    return reply.page('admin/category-edit', { title: `Edit ${category.name}`, ...choices, category, values: { ...category, read_role: category.read_role ?? '' }, errors: {} });
  });

  app.post('/categories/:id', { schema: { params: idParams, body: categoryBody }, config: { form: editForm } }, async (req, reply) => {
    await loadEditable(req.params.id);
    const fields = categoryFields(req.body);
    const errors = categoryErrors(fields);
    if (Object.keys(errors).length) throw invalid(errors);
    let saved;
    try {
      saved = await editCategory(app.db, req.params.id, fields, req.viewer!.id);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw invalid({ slug: 'Another category already uses this address.' });
    }
    if (!saved) throw notFound('That category');
    return answer(req, reply, { redirect: '/admin/categories', flash: `The category ${saved.name} is saved.` });
  });

  app.post('/categories/:id/move', { schema: { params: idParams, body: moveBody } }, async (req, reply) => {
    const result = await moveCategory(app.db, req.params.id, req.body.direction, req.viewer!.id);
    if (!result) throw notFound('That category');
    const flash = result.moved ? `${result.category.name} moved ${req.body.direction}.` : `${result.category.name} is already at the ${req.body.direction === 'up' ? 'top' : 'bottom'}.`;
    return answer(req, reply, { redirect: '/admin/categories', flash });
  });

  for (const [verb, archived] of [['archive', true], ['unarchive', false]] as const) {
    app.post(`/categories/:id/${verb}`, { schema: { params: idParams, body: plainBody } }, async (req, reply) => {
      const category = await setArchived(app.db, req.params.id, archived, req.viewer!.id, app.now());
      if (!category) throw notFound('That category');
      const flash = archived ? `${category.name} is archived: read-only, and out of the lists.` : `${category.name} is open again.`;
      return answer(req, reply, { redirect: '/admin/categories', flash });
    });
  }
};


// The home page: the latest threads across the community, and its categories.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { latestThreads } from '../threads/queries.ts';
import { filterLinks, questionFilters } from '../threads/questions.ts';
import { readableCategories } from '../access/categories.ts';
import { readMarks } from '../threads/rules.ts';

const homeQuery = { type: 'object', properties: { filter: { type: 'string', enum: questionFilters } } } as const;

export const home: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/', { schema: { querystring: homeQuery } }, async (req, reply) => reply.cached(['home'], async () => {
    const { filter } = req.query;
    const [pinned, rows, cats] = await Promise.all([
      // Global pins lead the unfiltered list.
      filter ? [] : latestThreads(app.db, 10, req.viewer, 'only'),
      latestThreads(app.db, 30, req.viewer, 'without', filter),
      readableCategories(app.db, req.viewer),
    ]);
    const now = new Date();
    const threads = [...pinned, ...rows].map((t) => ({ ...t, ...readMarks(t, req.viewer !== null, now) }));
    return reply.page('home/index', { threads, filters: filterLinks('/', filter), categories: cats, feeds: [{ title: 'Latest threads', href: '/latest.rss' }] });
  }));
};

// The home page: the latest threads across the community, and its categories.
import type { FastifyPluginAsync } from 'fastify';
import { latestThreads } from '../threads/queries.ts';
import { readableCategories } from '../access/categories.ts';
import { readMarks } from '../threads/rules.ts';

export const home: FastifyPluginAsync = async (app) => {
  app.get('/', async (req, reply) => reply.cached(['home'], async () => {
    const [pinned, rows, cats] = await Promise.all([
      latestThreads(app.db, 10, req.viewer, 'only'),
      latestThreads(app.db, 30, req.viewer),
      readableCategories(app.db, req.viewer),
    ]);
    const now = new Date();
    const threads = [...pinned, ...rows].map((t) => ({ ...t, ...readMarks(t, req.viewer !== null, now) }));
    return reply.page('home/index', { threads, categories: cats, feeds: [{ title: 'Latest threads', href: '/latest.rss' }] });
  }));
};

// The home page: the latest threads across the community, and its categories.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { latestThreads } from '../threads/queries.ts';
import { filterLinks, questionFilters } from '../threads/questions.ts';
import { readableCategories } from '../access/categories.ts';
import { readMarks } from '../threads/rules.ts';
import { authorScopes } from '../threads/member-page.ts';

const homeQuery = { type: 'object', properties: { filter: { type: 'string', enum: questionFilters } } } as const;

export const home: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/', { schema: { querystring: homeQuery } }, async (req, reply) => reply.cached(['home'], async () => {
    const { filter } = req.query;
    // A pin ends by the app's clock, as everything else does.
    const now = app.now();
    const [pinned, rows, cats] = await Promise.all([
      // Global pins lead the unfiltered list, in staff's order.
      filter ? [] : latestThreads(app.db, 10, req.viewer, 'only', undefined, now),
      latestThreads(app.db, 30, req.viewer, 'without', filter, now),
      readableCategories(app.db, req.viewer),
    ]);
    const threads = [...pinned.map((t) => ({ ...t, pinned: 'global' })), ...rows].map((t) => ({ ...t, ...readMarks(t, req.viewer !== null, now) }));
    // Each thread shows its author's avatar: the kept list goes when one changes (migrations/0039).
    reply.dependsOn(authorScopes(threads));
    return reply.page('home/index', { threads, filters: filterLinks('/', filter), categories: cats, feeds: [{ title: 'Latest threads', href: '/latest.rss' }] });
  }));

  // The community's guidelines. A member who opens them is marked as having read them the first
  // time (the "Read the guidelines" badge reads it); guests share the rendered page.
  app.get('/guidelines', async (req, reply) => {
    if (req.viewer) {
      await app.db
        .updateTable('users')
        .set({ guidelines_read_at: app.now() })
        .where('id', '=', req.viewer.id)
        .where('guidelines_read_at', 'is', null)
        .execute();
    }
    // The text is the admins' (/admin/settings), cooked once a change in the site's kept copy
    // (server/site/site.ts); a change announces every kept page (migrations/0042).
    return reply.cached(['site'], async () => reply.page('home/guidelines', { title: 'Community guidelines', guidelines: (await app.site.get()).guidelinesHtml }));
  });
};

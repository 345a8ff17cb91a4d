// /notifications: the signed-in member's notifications, marking them read, the unread count
// for the navigation (htmx refreshes it), and watching or muting threads and categories.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { notFound } from '../errors.ts';
import { emptyForm, idParams, text, csrfField } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { assertCanRead } from '../access/categories.ts';
import { threadUrl } from '../addresses.ts';
import { answer } from '../views/index.ts';
import { canSee } from '../permissions.ts';
import { categoryToWatch, markAllRead, markRead, notificationOf, notificationsOf, setCategoryWatch, setThreadWatch, threadToWatch } from './queries.ts';

const watchBody = {
  type: 'object',
  required: ['level'],
  properties: { level: { type: 'string', enum: ['watching', 'normal', 'muted'] }, _csrf: csrfField },
} as const;

const flashFor = { watching: 'You will hear about every new post here.', normal: 'You will hear about replies to you and mentions.', muted: 'Muted: only direct mentions will reach you.' };

export const notifications: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/notifications', { preHandler: signInFirst }, async (req, reply) => {
    const viewer = requireViewer(req);
    const items = await notificationsOf(app.db, viewer);
    return reply.page('notifications/list', { title: 'Notifications', items, hasUnread: items.some((n) => !n.read_at) });
  });

  // The badge alone, for htmx to refresh the navigation without a page load.
  app.get('/notifications/count', async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return reply.fragment('notifications/badge', { unread: req.viewer?.unread ?? 0 });
  });

  app.post('/notifications/:id/read', { schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const { id } = req.params;
    const item = await notificationOf(app.db, viewer, id);
    if (!item) throw notFound('That notification');
    await markRead(app.db, viewer.id, id);
    // A notice whose post the member may not open (or that concerns none) stays on the list.
    return reply.redirect(item.link ?? '/notifications', 303);
  });

  app.post('/notifications/read-all', { schema: { body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    await markAllRead(app.db, viewer.id);
    return answer(req, reply, { redirect: '/notifications', flash: 'All notifications are marked read.' });
  });

  app.post('/t/:id/watch', { schema: { params: idParams, body: watchBody } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const thread = await threadToWatch(app.db, req.params.id);
    // A hidden or held thread is not there for those who may not open it.
    if (!thread || !canSee(viewer, thread)) throw notFound('That thread');
    assertCanRead(viewer, thread);
    const { level } = req.body;
    await setThreadWatch(app.db, viewer.id, thread.id, level);
    return answer(req, reply, { redirect: threadUrl(thread), flash: flashFor[level] });
  });

  app.post(
    '/c/:slug/watch',
    { schema: { params: { type: 'object', properties: { slug: text(100) }, required: ['slug'] }, body: watchBody } },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const category = await categoryToWatch(app.db, req.params.slug);
      if (!category) throw notFound('That category');
      assertCanRead(viewer, category);
      const { level } = req.body;
      await setCategoryWatch(app.db, viewer.id, category.id, level);
      return answer(req, reply, { redirect: `/c/${category.slug}`, flash: flashFor[level] });
    },
  );
};

// Staff pin threads (in their category or across the community, until a date or for good);
// moderators lock and unlock them. Each change and its staff-log line share one transaction.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { forbidden, invalid, notFound } from '../errors.ts';
import { can, type Action } from '../permissions.ts';
import { csrfField, emptyForm, idParams } from '../schemas.ts';
import { requireRight, requireViewer } from '../sessions/guards.ts';
import { answer } from '../views/index.ts';
import { assertCanOpenThread } from '../access/threads.ts';
import { lockThread, pinThread, unpinThread } from './pins.ts';
import { threadById } from './queries.ts';
import { threadUrl } from '../addresses.ts';

export const threadStaff: FastifyPluginAsync = async (app) => {
  // Refused before the form is checked (as loadFor would refuse it after).
  const mayPin = requireRight('pin', 'Pinning is for staff.');
  const mayLock = requireRight('lock', 'Locking is for moderators.');

  async function loadFor(req: FastifyRequest, action: Action) {
    const viewer = requireViewer(req);
    if (!can(viewer, action)) throw forbidden(action === 'pin' ? 'Pinning is for staff.' : 'Locking is for moderators.');
    const thread = await threadById(app.db, (req.params as { id: number }).id);
    if (!thread) throw notFound('That thread');
    // Staff and moderators act only on threads they may read (staff-only, admin-only categories).
    assertCanOpenThread(viewer, thread);
    return { viewer, thread };
  }

  app.post(
    '/t/:id/pin',
    {
      preValidation: mayPin,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['scope'],
          properties: { scope: { type: 'string', enum: ['category', 'global'] }, until: { type: 'string', maxLength: 40 }, _csrf: csrfField },
        },
      },
    },
    async (req, reply) => {
      const { thread, viewer } = await loadFor(req, 'pin');
      const { scope, until } = req.body as { scope: 'category' | 'global'; until?: string };
      let end: Date | null = null;
      if (until?.trim()) {
        end = new Date(until);
        if (Number.isNaN(end.getTime())) throw invalid({ until: 'Enter a date, like 2026-12-31.' }, 'Enter a date, like 2026-12-31.');
        if (end <= new Date()) throw invalid({ until: 'The end of the pin must be in the future.' }, 'The end of the pin must be in the future.');
      }
      await app.db.transaction().execute((tx) => pinThread(tx, thread.id, { scope, until: end, by: viewer.id }));
      return answer(req, reply, { redirect: threadUrl(thread), flash: scope === 'global' ? 'Pinned across the community.' : 'Pinned in its category.' });
    },
  );

  app.post('/t/:id/unpin', { preValidation: mayPin, schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const { thread, viewer } = await loadFor(req, 'pin');
    await app.db.transaction().execute((tx) => unpinThread(tx, thread.id, viewer.id));
    return answer(req, reply, { redirect: threadUrl(thread), flash: 'Unpinned.' });
  });

  app.post('/t/:id/lock', { preValidation: mayLock, schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const { thread, viewer } = await loadFor(req, 'lock');
    await app.db.transaction().execute((tx) => lockThread(tx, thread.id, { locked: true, by: viewer.id }));
    return answer(req, reply, { redirect: threadUrl(thread), flash: 'Locked: members can no longer reply.' });
  });

  app.post('/t/:id/unlock', { preValidation: mayLock, schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const { thread, viewer } = await loadFor(req, 'lock');
    await app.db.transaction().execute((tx) => lockThread(tx, thread.id, { locked: false, by: viewer.id }));
    return answer(req, reply, { redirect: threadUrl(thread), flash: 'Unlocked.' });
  });
};

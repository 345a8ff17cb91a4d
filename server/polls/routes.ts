// Voting in a thread's poll. With htmx the poll swaps in place; without, the form redirects.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, notFound } from '../errors.ts';
import { canSee, isPublic } from '../permissions.ts';
import { csrfField, idParams, rowId } from '../schemas.ts';
import { requireViewer } from '../sessions/guards.ts';
import { assertCanRead } from '../access/categories.ts';
import { threadUrl } from '../addresses.ts';
import { castBallot, pollById, pollOfThread } from './queries.ts';
import { pollView } from './rules.ts';

export const polls: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.post(
    '/polls/:id/vote',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          properties: { option: { type: 'array', items: rowId, maxItems: 20 }, _csrf: csrfField },
        },
      },
    },
    async (req, reply) => {
      const viewer = requireViewer(req, 'Please sign in to vote.');
      const poll = await pollById(app.db, req.params.id);
      // A poll in a hidden or held thread is there only for those who may open the thread, and
      // takes no votes until the thread is public: votes would count for what the community cannot see.
      if (!poll || !canSee(viewer, poll)) throw notFound('That poll');
      assertCanRead(viewer, poll);
      if (!isPublic(poll)) throw new HttpError(409, 'This poll opens for votes once its thread is public.');
      const { option = [] } = req.body;
      const now = new Date();
      await castBallot(app.db, poll.id, viewer.id, option, now);
      const url = `${threadUrl({ id: poll.thread_id, slug: poll.slug })}?page=1#poll`;
      if (req.headers['hx-request'] === 'true') {
        const fresh = await pollOfThread(app.db, poll.thread_id, viewer.id);
        return reply.fragment('polls/poll', { poll: pollView(fresh!, true, now) });
      }
      reply.flash('notice', 'Your vote is counted.');
      return reply.redirect(url, 303);
    },
  );
};

// Voting in a thread's poll. With htmx the poll swaps in place; without, the form redirects.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, notFound } from '../errors.ts';
import { canOpenThread } from '../moderation/visibility.ts';
import { csrfField, idParams, rowId } from '../schemas.ts';
import { requireViewer } from '../sessions/guards.ts';
import { assertCanRead } from '../threads/access.ts';
import { threadUrl } from '../threads/rules.ts';
import { castBallot, pollById, pollOfThread } from './queries.ts';
import { pollView } from './rules.ts';

export const polls: FastifyPluginAsync = async (app) => {
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
    async (req: FastifyRequest, reply: FastifyReply) => {
      const viewer = requireViewer(req, 'Please sign in to vote.');
      const poll = await pollById(app.db, (req.params as { id: number }).id);
      // A poll in a hidden or held thread is there only for those who may open the thread, and
      // takes no votes until the thread is public: votes would count for what the community cannot see.
      if (!poll || !canOpenThread(viewer, poll)) throw notFound('That poll');
      assertCanRead(viewer, poll);
      if (poll.deleted_at || poll.hidden_at || poll.pending_at) throw new HttpError(409, 'This poll opens for votes once its thread is public.');
      const { option = [] } = req.body as { option?: number[] };
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

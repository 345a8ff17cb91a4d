// Voting in a thread's poll. With htmx the poll swaps in place; without, the form redirects.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../errors.ts';
import { csrfField, idParams } from '../schemas.ts';
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
          properties: { option: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 20 }, _csrf: csrfField },
        },
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const viewer = requireViewer(req, 'Please sign in to vote.');
      const poll = await pollById(app.db, (req.params as { id: number }).id);
      if (!poll || poll.deleted_at) throw notFound('That poll');
      assertCanRead(viewer, poll);
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

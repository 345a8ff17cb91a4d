// Voting on questions and answers, and accepting an answer: plain forms on the thread page,
// answered with a redirect to the post; with htmx a vote answers the post's votes alone, drawn
// from the same view of the post as the page (postView), and an accept reloads the page (it
// moves two posts' marks and the link under the question). Who may do each is the
// permissions module's (voteRefusal, acceptRefusal); the writes are ./queries.ts.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { notFound } from '../errors.ts';
import { acceptRefusal, voteRefusal, type Viewer } from '../permissions.ts';
import { csrfField, emptyForm, idParams } from '../schemas.ts';
import { requireViewer } from '../sessions/guards.ts';
import { assertCanSeePostRow, postWithThread } from '../access/posts.ts';
import { answer } from '../views/index.ts';
import { postView } from '../threads/post-view.ts';
import { postAddress } from '../threads/questions.ts';
import { castVote, toggleAccept } from './queries.ts';

const voteBody = {
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string', enum: ['1', '-1', '0'] }, _csrf: csrfField },
} as const;

const voteValues = { '1': 1, '-1': -1, '0': 0 } as const;

export const qa: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /** The post in the path, if the viewer may see it where it is. */
  async function loadPost(viewer: Viewer, id: number) {
    const post = await postWithThread(app.db, id, []);
    if (!post) throw notFound('That post');
    assertCanSeePostRow(viewer, post);
    return post;
  }

  type LoadedPost = Awaited<ReturnType<typeof loadPost>>;

  const questionOf = (post: LoadedPost) => ({ kind: post.kind, user_id: post.thread_user_id, deleted_at: post.thread_deleted_at });

  /** Where the post is now, after the vote or accept moved it: the page of its rank. */
  const addressOf = (post: LoadedPost) =>
    postAddress(app.db, { id: post.thread_id, slug: post.slug, kind: post.kind }, post);

  app.post('/p/:id/vote', { schema: { params: idParams, body: voteBody } }, async (req, reply) => {
    const viewer = requireViewer(req, 'Please sign in to vote.');
    const value = voteValues[req.body.value];
    // The post is read, and refused or not, where the vote locks it.
    const cast = await castVote(app.db, {
      postId: req.params.id, voterId: viewer.id, value, at: app.now(),
      check: (post) => {
        assertCanSeePostRow(viewer, post);
        const refused = voteRefusal(viewer, post, questionOf(post), value);
        if (refused) throw refused;
      },
    });
    const { post } = cast;
    if (req.headers['hx-request'] === 'true') {
      // The post and its thread as read before the vote, with the score it left: a vote changes
      // nothing else of either, and the votes block shows nothing else (postView's question part).
      const thread = {
        id: post.thread_id, slug: post.slug, last_post_number: post.last_post_number, deleted_at: post.thread_deleted_at,
        kind: post.kind, user_id: post.thread_user_id, accepted_post_id: post.accepted_post_id,
      };
      const voted = cast.value === 0 ? null : cast.value;
      return reply.header('Vary', 'HX-Request').fragment('posts/votes', postView({ ...post, score: cast.score, my_vote: voted }, viewer, thread));
    }
    const flash = value === 0 ? 'Your vote is taken back.' : 'Your vote is counted.';
    return answer(req, reply, { redirect: await addressOf(post), flash });
  });

  app.post('/p/:id/accept', { schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const post = await loadPost(viewer, req.params.id);
    const refused = acceptRefusal(viewer, post, questionOf(post));
    if (refused) throw refused;
    const { accepted } = await toggleAccept(app.db, { post, by: viewer.id, at: app.now() });
    const flash = accepted ? 'The answer is accepted.' : 'The answer is no longer accepted.';
    return answer(req, reply, { redirect: await addressOf(post), flash });
  });
};

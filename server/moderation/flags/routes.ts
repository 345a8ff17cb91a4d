// Flags on posts: members raise them, their weights add up, and a post past the threshold hides.
//
// GET /p/:id/flag is the flag form (a page without JavaScript, the form alone for htmx, which
// opens it under the post); POST /p/:id/flags raises the flag. Who may flag: signed-in members,
// on others' public posts, once per post. Which reasons: rank 1 (Member) and above may raise any
// flag; newcomers (rank 0) may raise `spam` flags only (permissions.ts, flagReasonsFor). Each
// member may raise 20 flags a day, 30, 40 and 60 at ranks 2, 3 and 4; moderators are not counted
// (rules.ts, dailyFlagLimit).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../../errors.ts';
import { can, flagReasonsFor, flagRefusal, type Viewer, canSee } from '../../permissions.ts';
import { csrfField, idParams, text, sentId } from '../../schemas.ts';
import { requireViewer, signInFirst } from '../../sessions/guards.ts';
import { assertCanRead } from '../../access/categories.ts';
import { postUrl } from '../../addresses.ts';
import { answer } from '../../views/index.ts';
import { postToFlag, raiseFlag, type PostToFlag } from './queries.ts';
import { flagErrors, flagReasonLabels, flagReasons, NOTE_MAX } from './rules.ts';

const flagBody = {
  type: 'object',
  properties: { reason: text(20), note: text(NOTE_MAX * 2), _csrf: csrfField },
} as const;

const thanks = 'Thanks, moderators will look at it.';

/** The reasons offered to this viewer, for the form's radio buttons. */
function reasonChoices(viewer: Viewer | null) {
  return flagReasonsFor(viewer).map((value) => ({ value, label: flagReasonLabels[value] }));
}

/** Whether the viewer may see the post, in a thread they may open. */
function shownTo(viewer: Viewer | null, post: PostToFlag): boolean {
  const thread = { user_id: post.thread_user_id, deleted_at: post.thread_deleted_at, hidden_at: post.thread_hidden_at, pending_at: post.thread_pending_at };
  return canSee(viewer, post) && canSee(viewer, thread);
}

export const flags: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /**
   * The post in the path, as far as the viewer may know of it. `strict` (the form, which quotes
   * the post and names its thread) wants a post the viewer can see in a thread they can open; a
   * flag sent may still land on a post that flags hid a moment before.
   */
  async function loadPost(viewer: Viewer, id: number, strict: boolean): Promise<PostToFlag> {
    const post = await postToFlag(app.db, id);
    if (!post || ((post.deleted_at || post.thread_deleted_at) && !can(viewer, 'see deleted'))) throw notFound('That post');
    if (post.pending_at && !canSee(viewer, post)) throw notFound('That post');
    if (strict && !shownTo(viewer, post)) throw notFound('That post');
    assertCanRead(viewer, post);
    return post;
  }

  const flagForm = {
    template: 'moderation/flag',
    title: 'Flag a post',
    // A rejected flag shows the form again only to a member who may see the post; anyone else
    // gets what the form's GET gives them (sign in, not found) and nothing of the post.
    load: async (req: FastifyRequest) => {
      const viewer = requireViewer(req, 'Please sign in to flag posts.');
      const post = await loadPost(viewer, sentId(req.params), true);
      return { post, reasons: reasonChoices(viewer), newcomer: flagReasonsFor(viewer).length === 1 };
    },
  };

  app.get('/p/:id/flag', { schema: { params: idParams }, preHandler: signInFirst }, async (req, reply) => {
    const viewer = requireViewer(req, 'Please sign in to flag posts.');
    const post = await loadPost(viewer, req.params.id, true);
    const refused = flagRefusal(viewer, post);
    if (refused) throw refused;
    const data = { post, reasons: reasonChoices(viewer), newcomer: flagReasonsFor(viewer).length === 1, values: {}, errors: {} };
    reply.header('Vary', 'HX-Request');
    if (req.headers['hx-request'] === 'true') return reply.fragment('moderation/flag-form', data);
    return reply.page(flagForm.template, { title: flagForm.title, ...data });
  });

  app.post(
    '/p/:id/flags',
    { schema: { params: idParams, body: flagBody }, config: { form: flagForm } },
    async (req, reply) => {
      const viewer = requireViewer(req, 'Please sign in to flag posts.');
      const post = await loadPost(viewer, req.params.id, false);
      const input = req.body;
      const errors = flagErrors(input);
      // A reason that is none of the flags has its message in the errors.
      const reason = flagReasons.find((r) => r === input.reason);
      if (!reason || Object.keys(errors).length) throw invalid(errors);
      const refused = flagRefusal(viewer, post, reason);
      if (refused) throw refused;
      const { hid } = await raiseFlag(app.db, { postId: post.id, flagger: viewer, reason, note: (input.note ?? '').trim(), at: app.now() });
      // A hidden first post takes its thread along: the flagger goes back to the category.
      const redirect = hid && post.post_number === 1 ? `/c/${post.category_slug}` : postUrl({ id: post.thread_id, slug: post.slug, kind: post.kind }, post);
      return answer(req, reply, { redirect, fragment: 'moderation/flagged', data: { hid }, flash: thanks });
    },
  );
};

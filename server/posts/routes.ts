// Actions on a single post: /p/:id, like, edit (with revisions) and delete.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../errors.ts';
import { can, postActionRefusal, type PostAction, type Viewer } from '../permissions.ts';
import { emptyForm, idParams, text, csrfField, sentId } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { threadErrors } from '../threads/rules.ts';
import { postErrors } from '../text/rules.ts';
import { threadUrl } from '../addresses.ts';
import { postAddress } from '../threads/questions.ts';
import { assertCanSeePostRow, postWithThread } from '../access/posts.ts';
import { answer } from '../views/index.ts';
import { deletePost, editPost, revisionsOf } from '../moderation/edits.ts';
import { toggleLike } from './likes.ts';
import { previewOf } from '../text/mentions.ts';
import { afterEdit, checkEdit } from '../moderation/posting/spam.ts';
import { standingOf } from '../moderation/posting/standing.ts';
import { attachUploads, uploadsAllowedPerPost } from '../uploads/posts.ts';
import { takeUploadedBody } from '../uploads/routes.ts';

const heldEditMessage = 'Your changes are saved. They wait for a moderator\'s approval; until then only you and the moderators can see the post.';

const signInToEdit = 'Please sign in to edit posts.';

/** What editing, deleting and the revisions read of a post beyond where it is. */
const changeColumns = ['p.raw', 'p.edit_count', 't.title', 't.category_id'] as const;

export const posts: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /** Where a post is read, if the viewer may read it. */
  async function addressOfPost(req: FastifyRequest, id: number): Promise<string> {
    const post = await postWithThread(app.db, id);
    // A hidden, held or deleted post (or thread) is not there for those who may not see it.
    if (!post) throw notFound('That post');
    assertCanSeePostRow(req.viewer, post);
    return postAddress(app.db, { id: post.thread_id, slug: post.slug, kind: post.kind }, post);
  }

  /** This post, with what an edit or a deletion needs of it, if the viewer may see it at all. */
  async function loadPost(viewer: Viewer | null, id: number) {
    const post = await postWithThread(app.db, id, changeColumns);
    if (!post) throw notFound('That post');
    assertCanSeePostRow(viewer, post);
    return post;
  }

  app.get('/p/:id', { schema: { params: idParams } }, async (req, reply) => {
    return reply.redirect(await addressOfPost(req, req.params.id), 303);
  });

  app.post('/p/:id/like', { schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req, 'Please sign in to like posts.');
    const { id } = req.params;
    const redirect = await addressOfPost(req, id);
    const result = await toggleLike(app.db, id, viewer);
    return answer(req, reply, {
      redirect,
      fragment: 'posts/like',
      data: { id: result.id, like_count: result.likeCount, liked: result.liked, canLike: true },
    });
  });

  // The cooked preview of a post being written (htmx, as the member types). The whole form
  // comes along; only its body matters here.
  app.post(
    '/preview',
    { schema: { body: { type: 'object', properties: { body: text(200000), _csrf: csrfField } } } },
    async (req, reply) => {
      requireViewer(req, 'Please sign in to write posts.');
      const { body = '' } = req.body;
      return reply.fragment('posts/preview', { cooked: await previewOf(app.db, body) });
    },
  );

  /**
   * This post, if the signed-in viewer may see it and do this to it. `standing`: an edit being
   * written asks the editor's own standing too, not the author's (a moderator tidies a silenced
   * member's post); the form drawn again after a refusal does not.
   */
  async function loadPostFor(viewer: Viewer, id: number, action: PostAction, standing = false) {
    const post = await loadPost(viewer, id);
    const refused = postActionRefusal(viewer, action, post, standing ? await standingOf(app.db, viewer, app.now()) : undefined);
    if (refused) throw refused;
    return post;
  }

  const editForm = {
    template: 'posts/edit',
    title: 'Edit post',
    // Drawn again only for someone who may edit the post; anyone else gets the GET's refusal
    // (a guest is asked to sign in before the address is read).
    load: async (req: FastifyRequest) => ({ post: await loadPostFor(requireViewer(req, signInToEdit), sentId(req.params), 'edit post') }),
  };

  app.get('/p/:id/edit', { schema: { params: idParams }, preHandler: signInFirst }, async (req, reply) => {
    // A silenced member is told now, not after rewriting a post they cannot save.
    const post = await loadPostFor(requireViewer(req, signInToEdit), req.params.id, 'edit post', true);
    // Just back from uploading a file without JavaScript: the text as sent, with its markdown (server/uploads).
    const values = { body: post.raw, title: post.title, ...takeUploadedBody(req, `edit:${post.id}`) };
    return reply.page(editForm.template, { title: editForm.title, post, values, errors: {} });
  });

  app.post(
    '/p/:id/edit',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['body'], properties: { body: text(200000), title: text(1000), preview: text(5), _csrf: csrfField } },
      },
      config: { form: editForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req, signInToEdit);
      const post = await loadPostFor(viewer, req.params.id, 'edit post', true);
      const now = app.now();
      const input = req.body;
      if (input.preview) {
        return reply.page(editForm.template, { title: editForm.title, post, values: input, errors: {}, preview: await previewOf(app.db, input.body) });
      }
      const title = post.post_number === 1 ? (input.title ?? post.title).trim() : undefined;
      const errors = title === undefined ? postErrors(input.body) : threadErrors({ title, body: input.body, kind: 'discussion' });
      if (Object.keys(errors).length) throw invalid(errors);
      // Watched words (and a newcomer's link limits) apply to an edit as to a new post.
      const before = { title: post.post_number === 1 ? post.title : undefined, body: post.raw };
      const screened = await checkEdit(app.db, { viewer, before, title, body: input.body, rules: app.postingRules });
      const uploadsAllowed = await uploadsAllowedPerPost(app.postingRules, viewer);
      const { changed } = await app.db.transaction().execute(async (tx) => {
        const edited = await editPost(tx, { postId: post.id, by: viewer.id, body: screened.body, title: screened.title, staffLog: post.user_id !== viewer.id });
        if (edited.changed) await afterEdit(tx, post.id, screened, now);
        // The editor's uploads the new text names join the post's (earlier ones stay: its revisions name them).
        if (edited.changed) await attachUploads(tx, post.id, viewer, screened.body, uploadsAllowed);
        return edited;
      });
      const held = changed && screened.hold.length > 0;
      reply.flash('notice', held ? heldEditMessage : changed ? 'Your changes are saved.' : 'Nothing changed.');
      return reply.redirect(await addressOfPost(req, post.id), 303);
    },
  );

  app.get('/p/:id/delete', { schema: { params: idParams }, preHandler: signInFirst }, async (req, reply) => {
    const post = await loadPostFor(requireViewer(req), req.params.id, 'delete post');
    return reply.page('posts/delete', { title: 'Delete post', post, isFirst: post.post_number === 1 });
  });

  app.post('/p/:id/delete', { schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const post = await loadPostFor(viewer, req.params.id, 'delete post');
    const { threadDeleted } = await deletePost(app.db, { postId: post.id, by: viewer.id, staffLog: post.user_id !== viewer.id });
    if (threadDeleted) {
      reply.flash('notice', 'The thread is deleted.');
      return reply.redirect(can(viewer, 'see deleted') ? threadUrl({ id: post.thread_id, slug: post.slug }) : '/', 303);
    }
    reply.flash('notice', 'The post is deleted.');
    return reply.redirect(threadUrl({ id: post.thread_id, slug: post.slug }), 303);
  });

  app.get('/p/:id/revisions', { schema: { params: idParams }, preHandler: signInFirst }, async (req, reply) => {
    const post = await loadPostFor(requireViewer(req), req.params.id, 'see revisions');
    const revisions = await revisionsOf(app.db, post.id);
    return reply.page('posts/revisions', { title: 'Earlier versions', post, postUrl: await addressOfPost(req, post.id), revisions, current: post.raw });
  });

};

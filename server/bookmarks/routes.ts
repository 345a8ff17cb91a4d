// Bookmarks: the toggle on each post (with an optional reminder) and the member's list.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../errors.ts';
import type { Viewer } from '../permissions.ts';
import { csrfField, idParams, parseTimeCursor, sentId, text } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { assertCanSeePostRow, postWithThread } from '../access/posts.ts';
import { postAddress } from '../threads/questions.ts';
import { excerpt } from '../text/cook.ts';
import { formatMoment } from '../text/moments.ts';
import { answer } from '../views/index.ts';
import { bookmarksOf, toggleBookmark } from './queries.ts';
import { reminderOf } from './rules.ts';

const LIST_PAGE = 20;
const signInToBookmark = 'Please sign in to bookmark posts.';

/** A reminder as the control shows it. */
const reminderView = (at: Date | null) => (at ? { iso: at.toISOString(), text: formatMoment(at) } : null);

export const bookmarks: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  /** The post, if the viewer may see it where it is (as the like and vote routes ask). */
  async function loadPost(viewer: Viewer | null, id: number) {
    const post = await postWithThread(app.db, id, ['t.title']);
    if (!post) throw notFound('That post');
    assertCanSeePostRow(viewer, post);
    return post;
  }

  // A refused reminder without JavaScript: the post's reminder form alone, with the time kept
  // and the error beside it. With htmx the form falls back to this (data-fallback="submit").
  const remindForm = {
    template: 'bookmarks/remind',
    title: 'Set a reminder',
    load: async (req: FastifyRequest) => {
      const post = await loadPost(requireViewer(req, signInToBookmark), sentId(req.params));
      return { post: { id: post.id, title: post.title } };
    },
  };

  app.post(
    '/p/:id/bookmark',
    {
      schema: {
        params: idParams,
        body: { type: 'object', properties: { remind_at: text(40), timezone: text(100), from: text(20), _csrf: csrfField } },
      },
      config: { form: remindForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req, signInToBookmark);
      const post = await loadPost(viewer, req.params.id);
      const reminder = reminderOf({ remindAt: req.body.remind_at, timezone: req.body.timezone }, app.now());
      if (Object.keys(reminder.errors).length) throw invalid(reminder.errors, Object.values(reminder.errors)[0]);
      const result = await toggleBookmark(app.db, viewer.id, post.id, reminder.at);
      const fromList = req.body.from === 'bookmarks';
      const flash = reminder.at ? `We will remind you on ${formatMoment(reminder.at)}.` : result.bookmarked ? 'Bookmarked.' : 'Bookmark removed.';
      return answer(req, reply, {
        redirect: fromList ? '/bookmarks' : await postAddress(app.db, { id: post.thread_id, slug: post.slug, kind: post.kind }, post),
        flash,
        fragment: 'posts/bookmark',
        data: {
          id: post.id, bookmarked: result.bookmarked, canBookmark: true, reminder: reminderView(result.remindAt),
          removeLabel: fromList ? 'Remove' : undefined, from: fromList ? 'bookmarks' : undefined,
        },
      });
    },
  );

  app.get(
    '/bookmarks',
    { schema: { querystring: { type: 'object', properties: { before: text(80) } } }, preHandler: signInFirst },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const before = parseTimeCursor(req.query.before);
      if (before === null) throw notFound('That page of bookmarks');
      const rows = await bookmarksOf(app.db, viewer, LIST_PAGE + 1, before);
      const shown = rows.slice(0, LIST_PAGE);
      const last = shown.at(-1);
      const next = rows.length > LIST_PAGE && last ? `/bookmarks?before=${encodeURIComponent(`${last.created_at.toISOString()}_${last.id}`)}` : null;
      const items = shown.map((b) => ({
        id: b.post_id, bookmarked: true, canBookmark: true, removeLabel: 'Remove', from: 'bookmarks',
        title: b.title, excerpt: excerpt(b.cooked), created_at: b.created_at,
        // A reminder already sent is said as such; one to come shows in the control.
        reminder: b.reminded_at ? null : reminderView(b.remind_at), reminded_at: b.reminded_at,
      }));
      return reply.page('bookmarks/list', { title: 'Bookmarks', items, next });
    },
  );
};

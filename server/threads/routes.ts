// Reading and writing threads: a category's list, a thread's posts, new threads and replies.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { Db } from '../db/index.ts';
import {
  canSee, can, canStartThread, isPublic, replyRefusal, speaksForBrand, startThreadRefusal, type Viewer, threadActionsFor, threadEditsFor,
} from '../permissions.ts';
import { afterNewPost, writeNewPost } from '../moderation/posting/posting.ts';
import { standingOf } from '../moderation/posting/standing.ts';
import { waitText } from '../text/moments.ts';
import { attachUploads, uploadsAllowedPerPost } from '../uploads/posts.ts';
import { takeUploadedBody } from '../uploads/routes.ts';

/** What a member is told when their post waits for a moderator. */
const heldMessage = 'Thanks! Your post is waiting for a moderator to approve it; until then only you and the moderators can see it.';
import { HttpError, invalid, notFound } from '../errors.ts';
import { assertCanRead } from '../access/categories.ts';
import { watchLevel } from '../notifications/queries.ts';
import { excerpt, quoteOf } from '../text/cook.ts';
import { previewOf } from '../text/mentions.ts';
import { csrfField, idParams, parseTimeCursor, rowId, text, sentId, sentText, type RequestOf } from '../schemas.ts';
import { requireViewer, signInFirst } from '../sessions/guards.ts';
import { answer } from '../views/index.ts';
import {
  categoryBySlug,
  categoryThreads,
  latestThreads,
  createReply,
  createThread,
  postById,
  threadById,
  threadPosts,
} from './queries.ts';
import { markThreadRead, type ViewCounter } from './read-state.ts';
import type { MemberDays } from '../ranks/member-days.ts';
import {
  anyMember, asReadBy, authorScopes, canSharePage, fillSharedPage, forAnyMember, keepSharedPage, keptSharedPage, memberFacts, sharesMemberPage,
} from './member-page.ts';
import { firstUnreadOf, postView } from './post-view.ts';
import { pageOf, threadUrl } from '../addresses.ts';
import { kindLabels, kindsFor, parseTags, readMarks, threadErrors } from './rules.ts';
import { officialResponseOf } from './staff/official.ts';
import { defaultSettings } from '../moderation/settings/queries.ts';
import { postErrors } from '../text/rules.ts';
import { tagByName, taggedThreads } from './tags.ts';
import { pollOfThread } from '../polls/queries.ts';
import { similarQuestions } from '../search/queries.ts';
import { filterLinks, listQuery, postAddress } from './questions.ts';
import { parsePoll, pollView } from '../polls/rules.ts';
import { clearDraft, draftOf, saveDraft, type DraftPlace } from '../drafts/queries.ts';
import { draftErrors, draftKey } from '../drafts/rules.ts';

const CATEGORY_PAGE = 30;

/**
 * The kinds the new-thread form offers the viewer (announcements to staff), the member's choice
 * (or a discussion) checked.
 */
function kindChoices(viewer: Viewer | null, chosen?: string) {
  const kinds = kindsFor(speaksForBrand(viewer?.role));
  const checked = kinds.find((k) => k === chosen) ?? 'discussion';
  return kinds.map((value) => ({ value, label: kindLabels[value], checked: value === checked }));
}

/** What the new-thread form shows of announcements: to staff, whether members may reply (`replies`). */
function announceChoice(viewer: Viewer | null, replies?: string) {
  return speaksForBrand(viewer?.role) ? { canAnnounce: true, staffOnlyReplies: replies === 'staff' } : { canAnnounce: false };
}

const slugParams = { type: 'object', properties: { slug: text(100) }, required: ['slug'] } as const;

/** The thread page: `/t/:id/:slug?`, a page of its posts, and a post to quote in the reply box. */
const threadPageSchema = {
  params: idParams,
  querystring: {
    type: 'object',
    properties: { page: { type: 'integer', minimum: 1, maximum: 1000000 }, quote: rowId },
  },
} as const;

/** `?before=<iso>_<id>`: the last thread of the previous page; one naming no page is not found. */
function parseBefore(raw: string | undefined) {
  const cursor = parseTimeCursor(raw);
  if (cursor === null) throw notFound('That page of threads');
  return cursor;
}

type Thread = NonNullable<Awaited<ReturnType<typeof threadById>>>;

/**
 * Everything the thread page shows for one page of posts. `now` is the moderation clock
 * (app.now()): whether the thread has closed. Also the page a rejected thread action shows again.
 */
export async function threadPage(
  db: Db, thread: Thread, page: number, viewer: Viewer | null, now = new Date(),
  brandLabel: () => Promise<string> = async () => defaultSettings.brand_label,
) {
  const withDeleted = can(viewer, 'see deleted');
  const [rows, poll, official] = await Promise.all([
    threadPosts(db, thread, page, { withDeleted, viewer }),
    // The poll belongs with the first post, on the first page.
    page === 1 && thread.poll_id !== null ? pollOfThread(db, thread.id, viewer?.id) : null,
    // So does the official response: one query for the thread, only when staff chose one.
    page === 1 && thread.official_post_id !== null ? officialResponseOf(db, thread.official_post_id) : null,
  ]);
  const level = viewer ? (thread.watch_level ?? 'normal') : null;
  // Signed-in readers get a marker before the first post they have not read.
  const firstUnread = firstUnreadOf(rows, viewer ? thread.last_read_post_number : null);
  // The brand's label is read (from the settings the process keeps) only for a page with staff on it.
  const brand = official || rows.some((p) => speaksForBrand(p.role)) ? await brandLabel() : defaultSettings.brand_label;
  const posts = rows.map((p) => postView(p, viewer, thread, firstUnread, brand));
  const canonical = threadUrl(thread);
  // Paged by post number (a question by rank, which every post has too), so deleted posts leave
  // gaps rather than shifting pages.
  const pages = pageOf(thread.last_post_number);
  const closed = thread.closes_at !== null && thread.closes_at <= now;
  return {
    title: thread.title,
    thread,
    posts,
    page,
    canonical,
    prev: page > 1 ? (page === 2 ? canonical : `${canonical}?page=${page - 1}`) : null,
    next: page < pages ? `${canonical}?page=${page + 1}` : null,
    isLastPage: page >= pages,
    // The form is offered by what the thread and the role say; a silence or slow mode is said on posting.
    canReply: replyRefusal(viewer, thread, now) === null,
    closed,
    slowMode: thread.slow_mode_seconds ? waitText(thread.slow_mode_seconds) : null,
    slowModeMinutes: thread.slow_mode_seconds / 60,
    ...threadActionsFor(viewer, thread),
    // The edits rank opens (server/threads/staff/routes.ts); on the page plain members share,
    // drawn for each member from these same flags (member-page.ts).
    ...threadEditsFor(viewer, thread, now),
    watch: level ? { action: `/t/${thread.id}/watch`, level } : null,
    // A poll takes votes once its thread is public (server/polls/routes.ts).
    poll: poll ? pollView(poll, viewer !== null && !thread.hidden_at && !thread.pending_at, new Date()) : null,
    // Shown under the first post, apart from a question's accepted answer.
    official: official ? { ...official, brand } : null,
    announcement: thread.kind === 'announcement' ? { membersMayReply: thread.members_may_reply } : null,
    // Pinned now (a pin past its end date is no pin): where, for its mark and staff's order buttons.
    pinned: thread.pinned_scope && !(thread.pinned_until && thread.pinned_until <= now) ? thread.pinned_scope : null,
    // What staff may do about the official response here (the marks are on each staff reply, postView).
    canClearOfficial: thread.official_post_id !== null && speaksForBrand(viewer?.role),
    og: { type: 'article', title: thread.title, description: posts[0] ? excerpt(posts[0].cooked) : '' },
    lastPage: pages > 1 ? `${canonical}?page=${pages}` : canonical,
  };
}

export const threads: FastifyPluginAsyncJsonSchemaToTs<{ Options: { views: ViewCounter; days: MemberDays } }> = async (app, opts) => {
  /** The label staff posts carry (the setting brand_label), from the settings the process keeps. */
  const brandLabel = async () => (await app.postingRules.get()).settings.brand_label;

  async function loadCategory(viewer: Viewer | null, slug: string) {
    const category = await categoryBySlug(app.db, slug);
    if (!category) throw notFound('That category');
    assertCanRead(viewer, category);
    return category;
  }

  /**
   * The start of a reply quoting a post of this thread (nothing if it is not one). Only a public
   * post: a reply is public, and would carry a hidden or held post's words out with it.
   */
  async function quoteFor(threadId: number, postId: number): Promise<string> {
    const post = await postById(app.db, postId);
    const open = post && isPublic(post);
    return open && post.thread_id === threadId ? quoteOf(post.raw, post.username, post.id) : '';
  }

  /** `merged`: a thread merged into another is found too (its page leads there). */
  async function loadThread(viewer: Viewer | null, id: number, merged = false) {
    const thread = await threadById(app.db, id, {
      withDeleted: can(viewer, 'see deleted'),
      withMerged: merged,
      viewerId: viewer?.id,
    });
    // A hidden or held thread is its author's and moderators' to open; to others it is not there.
    if (!thread || (!canSee(viewer, thread) && !(merged && thread.merged_into))) throw notFound('That thread');
    assertCanRead(viewer, thread);
    return thread;
  }

  app.get(
    '/c/:slug',
    { schema: { params: slugParams, querystring: listQuery } },
    // The global pins lead every category too: a change to one announces `pins` (migrations/0041).
    async (req, reply) => reply.cached([`category:${req.params.slug}`, 'pins'], async () => {
      const category = await loadCategory(req.viewer, req.params.slug);
      const { before, filter } = req.query;
      const after = parseBefore(before);
      const now = app.now();
      // Pins head the first page only, and an unfiltered one: the global pins, then the category's own.
      const pinsShown = !after && !filter;
      const [rows, level, globalPins, pinned] = await Promise.all([
        categoryThreads(app.db, category.id, CATEGORY_PAGE + 1, after, req.viewer?.id, 'without', filter, now),
        req.viewer ? watchLevel(app.db, req.viewer.id, { categoryId: category.id }) : null,
        pinsShown ? latestThreads(app.db, 10, req.viewer, 'only', undefined, now) : [],
        pinsShown ? categoryThreads(app.db, category.id, CATEGORY_PAGE, undefined, req.viewer?.id, 'only', undefined, now) : [],
      ]);
      const marked = <T extends Parameters<typeof readMarks>[0]>(t: T) => ({ ...t, ...readMarks(t, req.viewer !== null, now) });
      const list = [
        ...globalPins.map((t) => ({ ...marked(t), pinned: 'global' })),
        ...pinned.map((t) => ({ ...marked(t), pinned: 'category' })),
        ...rows.slice(0, CATEGORY_PAGE).map(marked),
      ];
      // Each thread shows its author's avatar: the kept list goes when one changes (migrations/0039).
      reply.dependsOn(authorScopes([...globalPins, ...pinned, ...rows]));
      const last = rows.slice(0, CATEGORY_PAGE).at(-1);
      const next = rows.length > CATEGORY_PAGE && last ? `${last.last_post_at.toISOString()}_${last.id}` : null;
      const watch = level ? { action: `/c/${category.slug}/watch`, level } : null;
      return reply.page('threads/category', { title: category.name, category, threads: list, next, filter, filters: filterLinks(`/c/${category.slug}`, filter), watch, canStart: canStartThread(req.viewer, category), feeds: [{ title: `${category.name}: latest threads`, href: `/c/${category.slug}.rss` }] });
    }),
  );

  app.get(
    '/t/:id/:slug?',
    { schema: threadPageSchema },
    async (req, reply) => {
      const { id } = req.params;
      // A hit counts a view (kept with the page, so it must read the request it is given).
      return reply.cached([`thread:${id}`], () => showThread(req, reply), (hit) => {
        if (hit.headers['hx-request'] !== 'true') opts.views.add(id);
      });
    },
  );

  /**
   * The thread page, decided once for every reader: the thread is there for them and readable,
   * a merged thread and an old slug lead to the current address, a member coming back opens at
   * their first unread post, the page exists; then the page is read to its end and the view
   * counted. Plain members get the rendering they all share with their own parts filled in, kept
   * with the thread it shows, which is then not read again (server/threads/member-page.ts);
   * anyone else, and a page that is not the same for every member, is rendered for its reader.
   */
  async function showThread(req: RequestOf<typeof threadPageSchema>, reply: FastifyReply) {
    const { id, slug } = req.params;
    const { page: asked, quote } = req.query;
    const page = asked ?? 1;
    const viewer = req.viewer;
    const now = app.now();
    const pages = viewer && app.pageCache?.memberPages.on && sharesMemberPage(req, quote) ? app.pageCache.memberPages : null;
    // Taken before the thread is read: a write landing meanwhile makes the page kept from it old at once.
    const snapshot = pages?.pageSnapshot(id);
    let shared = pages ? keptSharedPage(pages, id, page) : undefined;
    // A kept page's thread is public (canSharePage); whether its category is open to this member is theirs.
    if (shared) assertCanRead(viewer, shared.thread);
    const thread = shared?.thread ?? (await loadThread(viewer, id, true));
    // What is this member's own on the shared page: how far they read, their watch level, likes, held posts.
    let own = pages && viewer && shared ? await memberFacts(app.db, pages, viewer.id, shared.thread, page, shared.posts) : undefined;
    const lastRead = own ? own.lastRead : viewer ? thread.last_read_post_number : null;

    // A thread merged into another leads there, wherever its old links are.
    if (thread.merged_into) return reply.redirect(`/t/${thread.merged_into}`, 301);
    const canonical = threadUrl(thread);
    // Old or missing slugs lead to the thread's current address.
    if (slug !== thread.slug) return reply.redirect(page > 1 ? `${canonical}?page=${page}` : canonical, 301);
    // A member coming back to a thread opens it at the first post they have not read. A question
    // opens at its start, its best answers: a new answer is ranked among the others by its score,
    // and the marker on the page goes before the first one shown that they have not read.
    if (asked === undefined && thread.kind !== 'question' && lastRead !== null && lastRead < thread.last_post_number) {
      return reply.redirect(`${canonical}?page=${pageOf(lastRead + 1)}#unread`, 303);
    }
    // A page may show nothing to this reader (its posts held, hidden or deleted) and still
    // exist: the pager and the reply form lead there, and a 404 would tell that something is.
    if (page > 1 && page > pageOf(thread.last_post_number)) throw notFound('That page of the thread');

    if (pages && viewer && snapshot && canSharePage(thread, page, now)) {
      const common = forAnyMember(thread);
      shared ??= await keepSharedPage(reply, pages, snapshot, common, await threadPage(app.db, common, page, anyMember, now, brandLabel));
      own ??= await memberFacts(app.db, pages, viewer.id, shared.thread, page, shared.posts);
    }
    // A member's own held or hidden post belongs on their page: then it is rendered for them alone.
    const filled = viewer && shared && own && !own.ownHeld ? { html: fillSharedPage(reply, shared, viewer, own, now), posts: shared.posts } : null;
    const data = filled ? null : await threadPage(app.db, own ? asReadBy(thread, own) : thread, page, viewer, now, brandLabel);
    // Read up to the newest post shown: a discussion's last, a question's newest answer on the page.
    const lastShown = Math.max(0, ...(filled?.posts ?? data?.posts ?? []).map((p) => p.post_number));
    if (viewer && lastShown > (lastRead ?? 0)) {
      await markThreadRead(app.db, viewer.id, thread.id, lastShown);
      // Its announcement comes back a moment later: until then the facts kept would show the page unread.
      pages?.forgetMemberFacts(viewer.id, thread.id, page);
    }
    // For the member's rank, counted in memory: a thread with no read mark is newly entered, and
    // the posts past the mark up to the newest shown are newly read (on a question's page, sorted
    // by score, that is the posts numbered past the mark, a close enough count).
    if (viewer) opts.days.read(viewer.id, now, { entered: lastRead === null, postsRead: lastShown - Math.min(lastShown, lastRead ?? 0) });
    // "Load more" fetches the next page with htmx: the same reader, not another view.
    if (req.headers['hx-request'] !== 'true') opts.views.add(thread.id);
    if (filled) return reply.type('text/html; charset=utf-8').send(filled.html);
    // The reply box holds a quote asked for, or else the member's draft of a reply (kept with
    // their facts when they have any, read here only where the box is on the page).
    const replyBox = data?.canReply && data.isLastPage;
    const draft = !viewer || quote || !replyBox ? '' : own ? own.draftText : ((await draftOf(app.db, viewer.id, draftKey('thread', thread.id)))?.body ?? '');
    // Just back from uploading a file without JavaScript: the text as sent, with its markdown (server/uploads).
    const uploaded = viewer ? takeUploadedBody(req, `thread:${thread.id}`) : undefined;
    const values = { body: uploaded ? uploaded.body : viewer && quote ? await quoteFor(thread.id, quote) : draft };
    // A guest's kept copy shows each post's author's name and rank: it goes when one changes (migrations/0031).
    if (data) reply.dependsOn(authorScopes(data.posts));
    return reply.page('threads/thread', { ...data, values, errors: {} });
  }

  app.get(
    '/tag/:name',
    { schema: { params: { type: 'object', properties: { name: text(60) }, required: ['name'] }, querystring: listQuery } },
    async (req, reply) => {
      const tag = await tagByName(app.db, req.params.name);
      if (!tag) throw notFound('That tag');
      const { filter } = req.query;
      const rows = await taggedThreads(app.db, req.viewer, tag.id, CATEGORY_PAGE + 1, parseBefore(req.query.before), filter);
      const list = rows.slice(0, CATEGORY_PAGE);
      const last = list.at(-1);
      const next = rows.length > CATEGORY_PAGE && last
        ? `/tag/${tag.name}?before=${last.last_post_at.toISOString()}_${last.id}${filter ? `&filter=${filter}` : ''}`
        : null;
      return reply.page('threads/tag', { title: `Tagged ${tag.name}`, tag, threads: list, next, filters: filterLinks(`/tag/${tag.name}`, filter) });
    },
  );

  const newThreadForm = {
    template: 'threads/new',
    title: 'New thread',
    load: async (req: FastifyRequest) => ({
      category: await loadCategory(req.viewer, sentText(req.params, 'slug') ?? ''),
      kinds: kindChoices(req.viewer, sentText(req.body, 'kind')),
      ...announceChoice(req.viewer, sentText(req.body, 'replies')),
    }),
  };

  /**
   * The category a new thread goes into, if the viewer may start one there. `standing`: the form
   * asks the member's too, so that a silenced member is told now, not after writing a thread they
   * cannot post (the thread sent is checked with it on posting).
   */
  async function loadCategoryToPost(viewer: Viewer, slug: string, standing = false) {
    const category = await loadCategory(viewer, slug);
    const refused = startThreadRefusal(viewer, category, standing ? await standingOf(app.db, viewer, app.now()) : undefined);
    if (refused) throw refused;
    return category;
  }

  /**
   * The questions like a title, shown under the new-thread form's title field: only what the
   * viewer may find (similarQuestions reads through access/posts.ts visiblePosts).
   */
  async function similarTo(viewer: Viewer, title: string | undefined) {
    const typed = (title ?? '').trim();
    return { similar: typed ? await similarQuestions(app.db, viewer, typed) : [], similarChecked: typed !== '' };
  }

  // As a member types a title, htmx asks here for the questions like it (the fragment under the
  // field); opened without htmx, it answers the form with the title and the questions.
  app.get(
    '/c/:slug/similar',
    { schema: { params: slugParams, querystring: { type: 'object', properties: { title: text(1000) } } }, preHandler: signInFirst },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const category = await loadCategoryToPost(viewer, req.params.slug, true);
      const found = await similarTo(viewer, req.query.title);
      reply.header('Vary', 'HX-Request');
      if (req.headers['hx-request'] === 'true') return reply.fragment('threads/similar', found);
      const values = { title: req.query.title ?? '' };
      return reply.page(newThreadForm.template, { title: newThreadForm.title, category, kinds: kindChoices(viewer), ...announceChoice(viewer), values, errors: {}, ...found });
    },
  );

  app.get('/c/:slug/new', { schema: { params: slugParams }, preHandler: signInFirst }, async (req, reply) => {
    const viewer = requireViewer(req);
    const category = await loadCategoryToPost(viewer, req.params.slug, true);
    // The member's draft of a thread here, from this device or another.
    const draft = await draftOf(app.db, viewer.id, draftKey('category', category.id));
    const values: Record<string, string> = { ...(draft ? { title: draft.title, body: draft.body } : {}), ...takeUploadedBody(req, `new:${category.slug}`) };
    return reply.page(newThreadForm.template, { title: newThreadForm.title, category, kinds: kindChoices(viewer, values.kind), ...announceChoice(viewer), values, errors: {} });
  });

  app.post(
    '/c/:slug/threads',
    {
      schema: {
        params: slugParams,
        body: {
          type: 'object',
          required: ['title', 'body'],
          properties: {
            title: text(1000),
            body: text(200000),
            kind: text(20),
            // An announcement's replies: `members` (anyone may reply) or `staff` (only staff).
            replies: { type: 'string', enum: ['members', 'staff'] },
            tags: text(500),
            poll_question: text(1000),
            poll_options: text(5000),
            poll_multiple: text(10),
            poll_closes_at: text(40),
            preview: text(5),
            similar: text(5),
            _csrf: csrfField,
          },
        },
      },
      config: { form: newThreadForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const category = await loadCategoryToPost(viewer, req.params.slug);
      const input = req.body;
      if (input.preview) {
        const preview = await previewOf(app.db, input.body);
        return reply.page(newThreadForm.template, { title: newThreadForm.title, category, kinds: kindChoices(viewer, input.kind), ...announceChoice(viewer, input.replies), values: input, errors: {}, preview });
      }
      // "Check for similar questions" without JavaScript: the form again, as sent, with them.
      if (input.similar) {
        const found = await similarTo(viewer, input.title);
        return reply.page(newThreadForm.template, { title: newThreadForm.title, category, kinds: kindChoices(viewer, input.kind), ...announceChoice(viewer, input.replies), values: input, errors: {}, ...found });
      }
      const title = input.title.trim();
      const kinds = kindsFor(speaksForBrand(viewer.role));
      const errors = threadErrors({ title, body: input.body, kind: input.kind || 'discussion' }, kinds);
      const tags = parseTags(input.tags ?? '');
      if (tags.error) errors.tags = tags.error;
      const poll = parsePoll(input, title, new Date());
      Object.assign(errors, poll.errors);
      const kind = kinds.find((k) => k === (input.kind || 'discussion'));
      // A wrong kind is said in the summary at the top as well as beside its buttons.
      if (!kind || Object.keys(errors).length) throw invalid(errors, errors.kind);
      const uploadsAllowed = await uploadsAllowedPerPost(app.postingRules, viewer);
      const { decision, written: thread } = await writeNewPost(app.db, { rules: app.postingRules, viewer, title, body: input.body, categoryId: category.id }, app.now, (tx, decision, now) =>
        createThread(tx, {
          categoryId: category.id, userId: viewer.id, title: decision.title ?? title, body: decision.body, kind, tags: tags.tags, poll: poll.poll, at: now,
          membersMayReply: kind !== 'announcement' || input.replies !== 'staff',
          hold: decision.hold,
          // The draft of this thread goes with the post, in its transaction.
          onWritten: async (tx, postId) => {
            await afterNewPost(tx, postId, decision, now);
            await clearDraft(tx, viewer.id, draftKey('category', category.id));
            await attachUploads(tx, postId, viewer, decision.body, uploadsAllowed);
          },
        }),
      );
      const flash = decision.hold ? heldMessage : 'Your thread is posted.';
      return answer(req, reply, { redirect: threadUrl(thread), flash });
    },
  );

  // The thread's last page, where the reply form is: a rejected reply and a preview show it again with the text.
  const replyPage = (thread: Thread, viewer: Viewer | null) => threadPage(app.db, thread, pageOf(thread.last_post_number), viewer, app.now(), brandLabel);
  const replyForm = {
    template: 'threads/thread',
    title: 'Reply',
    load: async (req: FastifyRequest) => replyPage(await loadThread(req.viewer, sentId(req.params)), req.viewer),
  };

  app.post(
    '/t/:id/replies',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['body'], properties: { body: text(200000), preview: text(5), _csrf: csrfField } },
      },
      config: { form: replyForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const thread = await loadThread(viewer, req.params.id);
      const { body, preview } = req.body;
      if (preview && req.headers['hx-request'] !== 'true') {
        const data = await replyPage(thread, viewer);
        return reply.page(replyForm.template, { ...data, values: req.body, errors: {}, preview: await previewOf(app.db, body) });
      }
      // What the thread says (deleted, locked, closed) before the text is looked at; the member's
      // standing and slow mode are asked again under their posting lock (writeNewPost).
      const refused = replyRefusal(viewer, thread, app.now());
      if (refused) throw refused;
      const errors = postErrors(body);
      if (Object.keys(errors).length) throw new HttpError(422, errors.body, errors);
      // Locked, closed and slow threads, sanctions, spam checks: see server/moderation/posting/posting.ts.
      const uploadsAllowed = await uploadsAllowedPerPost(app.postingRules, viewer);
      const { decision, written: created } = await writeNewPost(app.db, { rules: app.postingRules, viewer, body, thread, categoryId: thread.category_id }, app.now, (tx, decision, now) =>
        createReply(tx, {
          threadId: thread.id, userId: viewer.id, body: decision.body, at: now, byStaff: speaksForBrand(viewer.role),
          hold: decision.hold,
          // The draft of this reply goes with the post, in its transaction.
          onWritten: async (tx, postId) => {
            await afterNewPost(tx, postId, decision, now);
            await clearDraft(tx, viewer.id, draftKey('thread', thread.id));
            await attachUploads(tx, postId, viewer, decision.body, uploadsAllowed);
          },
        }),
      );
      const url = await postAddress(app.db, thread, created);
      if (req.headers['hx-request'] === 'true') {
        // htmx appends the new post in place of the form's target (a held one says so on it),
        // drawn as the page draws it. The reply is the thread's last post now: quoting leads to its page.
        const post = await postById(app.db, created.id);
        if (!post) throw notFound('That reply');
        const after = { ...thread, last_post_number: Math.max(thread.last_post_number, created.post_number) };
        const brand = speaksForBrand(post.role) ? await brandLabel() : defaultSettings.brand_label;
        return reply.fragment('posts/post', postView(post, viewer, after, undefined, brand));
      }
      return answer(req, reply, { redirect: url, flash: decision.hold ? heldMessage : undefined });
    },
  );

  /**
   * A draft saved: with htmx (as the member types, debounced, or the "Save draft" button) the
   * status beside the buttons, and a refusal said there too (422); without, back to the form,
   * where the draft is (a refusal draws the form again with the text and the message).
   */
  async function keepDraft(req: FastifyRequest, reply: FastifyReply, viewer: Viewer, place: DraftPlace, input: { title?: string; body?: string }, back: () => Promise<string>) {
    const draft = { title: input.title, body: input.body ?? '' };
    const errors = draftErrors(draft);
    const refused = Object.values(errors)[0];
    const htmx = req.headers['hx-request'] === 'true';
    if (refused && htmx) return reply.fragment('drafts/status', { error: refused }, 422);
    if (refused) throw invalid(errors, refused);
    if (htmx) {
      await saveDraft(app.db, viewer.id, place, draft, app.now());
      return reply.fragment('drafts/status', {});
    }
    const redirect = await back();
    await saveDraft(app.db, viewer.id, place, draft, app.now());
    return answer(req, reply, { redirect, flash: 'Your draft is saved.' });
  }

  // Drafts (server/drafts): one per member and thread for a reply, per category for a new
  // thread. The saves as one types are a single statement each: the thread or category is read
  // only for a plain submission, to lead back to its form.
  app.post(
    '/t/:id/draft',
    { schema: { params: idParams, body: { type: 'object', properties: { body: text(200000), _csrf: csrfField } } }, config: { form: replyForm } },
    async (req, reply) => {
      const viewer = requireViewer(req, 'Please sign in to save drafts.');
      const { id } = req.params;
      return keepDraft(req, reply, viewer, { threadId: id }, req.body, async () => {
        const thread = await loadThread(viewer, id);
        return `${threadUrl(thread)}?page=${pageOf(thread.last_post_number)}#reply-area`;
      });
    },
  );

  app.post(
    '/c/:slug/draft',
    {
      schema: { params: slugParams, body: { type: 'object', properties: { title: text(1000), body: text(200000), _csrf: csrfField } } },
      config: { form: newThreadForm },
    },
    async (req, reply) => {
      const viewer = requireViewer(req, 'Please sign in to save drafts.');
      const { slug } = req.params;
      return keepDraft(req, reply, viewer, { categorySlug: slug }, req.body, async () => {
        const category = await loadCategory(viewer, slug);
        return `/c/${category.slug}/new`;
      });
    },
  );
};

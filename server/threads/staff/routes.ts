// Staff's thread actions. Moderators close a thread after a time, unlist, move, merge and split
// it, set its slow mode, and lock it; staff pin it (in its category or across the community, until
// a date or for good). Some of these follow rank too (threadEditRefusal in server/permissions.ts):
// from rank 3 a member renames a thread, edits its tags and moves it where they may post; from
// rank 4 they close it as a duplicate of another and reopen one so closed. A member's edit is
// logged as a moderator's action is, and answered the same way. Each is a plain form on the thread page
// (views/partials/threads/staff-actions.hbs) answered with a redirect; a rejected one shows the
// thread page again with the error beside its field. Each change and its staff log line share
// one transaction.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { forbidden, HttpError, invalid, notFound } from '../../errors.ts';
import { officialCandidate, setOfficial } from './official.ts';
import {
  can, moveRefusal, officialRefusal, openThreadRefusal, speaksForBrand, threadActionRefusal, threadActionRefusals, threadEditRefusal, threadEditRightRefusal, threadEditsFor,
  type ThreadAction, type ThreadEdit,
} from '../../permissions.ts';
import { csrfField, emptyForm, idParams, text, type RequestOf } from '../../schemas.ts';
import { requireRight, requireViewer } from '../../sessions/guards.ts';
import { assertCanOpenThread } from '../../access/threads.ts';
import { assertCanRead } from '../../access/categories.ts';
import { threadById } from '../queries.ts';
import { threadPage } from '../routes.ts';
import { slugify, threadUrl } from '../../addresses.ts';
import { parseTags, TITLE_MAX, TITLE_MIN } from '../rules.ts';
import { answer } from '../../views/index.ts';
import { logAction } from '../../moderation/log/write.ts';
import { checkEdit } from '../../moderation/posting/spam.ts';
import { formatMoment, waitText } from '../../text/moments.ts';
import { parseCloseAfter, parsePostList, parseSlowMinutes, parseThreadRef } from './rules.ts';
import {
  categoryByRef,
  closeAsDuplicate,
  reopenDuplicate,
  retagThread,
  retitleThread,
  lockThread,
  mergeThread,
  moveThread,
  movePin,
  pinThread,
  setClosing,
  setSlowMode,
  setUnlisted,
  splitThread,
  unpinThread,
} from './queries.ts';

/** A moderator's action on a thread: its own fields, and the reason the staff log keeps. */
const form = <const R extends readonly string[], const F extends Record<string, unknown>>(required: R, fields: F) => ({
  params: idParams,
  body: { type: 'object', required, properties: { ...fields, reason: text(1000), _csrf: csrfField } },
}) as const;

/** The request of a thread action: the thread in the path, and a form. */
type ActionRequest = RequestOf<{ params: typeof idParams; body: typeof emptyForm }>;

/** One field's error: said at the top of the page and beside the field. */
const fieldError = (field: string, message: string) => new HttpError(422, message, { [field]: message });

export const threadStaff: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  // Refused before the form is checked: a member hears the action is not theirs, not what it takes.
  const mayManage = requireRight('manage threads', threadActionRefusals['manage threads']);
  const mayPin = requireRight('pin', threadActionRefusals.pin);
  const mayLock = requireRight('lock', threadActionRefusals.lock);
  /** As requireRight, for an edit a rank opens as well as a role (hasThreadEdit): what it takes is said by threadEditRefusal. */
  const mayEdit = (edit: ThreadEdit) => async (req: FastifyRequest) => {
    const refused = threadEditRightRefusal(req.viewer, edit);
    if (refused) throw refused;
  };

  /**
   * A rejected action (an error beside a field) shows the thread's first page again, where the
   * forms are, with the input kept. Only to a moderator who may read the thread, and only while
   * it is there: anything else is the one error handler's page, which shows nothing of it.
   */
  function withForm<Req extends ActionRequest>(handler: (req: Req, reply: FastifyReply) => Promise<FastifyReply>) {
    return async (req: Req, reply: FastifyReply) => {
      try {
        return await handler(req, reply);
      } catch (err) {
        if (!(err instanceof HttpError) || !Object.keys(err.fieldErrors).length) throw err;
        const thread = await threadById(app.db, req.params.id, { viewerId: req.viewer?.id });
        // A member's edits are shown again to them as a moderator's actions are, while they may make one.
        if (!thread || !(can(req.viewer, 'manage threads') || threadEditsFor(req.viewer, thread, app.now()).canEditThread)) throw err;
        assertCanOpenThread(req.viewer, thread);
        const { _csrf, ...values } = req.body;
        const data = await threadPage(app.db, thread, 1, req.viewer, app.now(), async () => (await app.postingRules.get()).settings.brand_label);
        return reply.page('threads/thread', { ...data, values, errors: err.fieldErrors, error: err.message }, err.statusCode);
      }
    };
  }

  /**
   * Only those with the right (members get 403), and the thread must be there for them to read
   * (staff-only, admin-only categories), before anything of the form is looked at: an action
   * answers no more than the thread's page would.
   */
  async function loadFor(req: ActionRequest, action: ThreadAction) {
    const viewer = requireViewer(req);
    const thread = await threadById(app.db, req.params.id);
    const refused = thread ? threadActionRefusal(viewer, action, thread) : null;
    if (refused) throw refused;
    if (!thread) throw notFound('That thread');
    return { viewer, thread };
  }

  /** As loadFor, for an edit that rank opens too. */
  async function loadForEdit(req: ActionRequest, edit: ThreadEdit) {
    const viewer = requireViewer(req);
    const thread = await threadById(app.db, req.params.id);
    const refused = thread ? threadEditRefusal(viewer, edit, thread, app.now()) : null;
    if (refused) throw refused;
    if (!thread) throw notFound('That thread');
    return { viewer, thread };
  }

  const reasonOf = (reason: string | undefined) => (reason ?? '').trim();
  const target = (t: { id: number; title: string }) => ({ type: 'thread' as const, id: t.id, label: t.title });

  app.post('/t/:id/close', { preValidation: mayManage, schema: form(['after'], { after: text(40) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadFor(req, 'manage threads');
    const now = app.now();
    const parsed = parseCloseAfter(req.body.after, now);
    if ('error' in parsed) throw fieldError('after', parsed.error);
    await app.db.transaction().execute(async (tx) => {
      const before = await setClosing(tx, thread.id, parsed.at);
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.close', target: target(thread),
        before: { closes_at: before.closes_at }, after: { closes_at: parsed.at }, reason: reasonOf(req.body.reason), at: now,
      });
    });
    const flash = parsed.at <= now ? 'Closed: members can no longer reply.' : `The thread closes ${formatMoment(parsed.at)}.`;
    return answer(req, reply, { redirect: threadUrl(thread), flash });
  }));

  // Reopens a thread closed after a time (moderators) or closed as a duplicate (moderators and
  // Ambassadors); a moderator reopening a duplicate that is also closed by time reopens both.
  app.post('/t/:id/reopen', { preValidation: mayEdit('reopen duplicate'), schema: form([], {}) }, withForm(async (req, reply) => {
    const found = await threadById(app.db, req.params.id);
    if (found?.duplicate_of != null) {
      const { viewer, thread } = await loadForEdit(req, 'reopen duplicate');
      const now = app.now();
      await app.db.transaction().execute(async (tx) => {
        const result = await reopenDuplicate(tx, thread.id);
        const closing = can(viewer, 'manage threads') && thread.closes_at ? await setClosing(tx, thread.id, null) : null;
        if (!result.changed && !closing) return;
        await logAction(tx, {
          actorId: viewer.id, action: 'thread.reopen', target: target(thread),
          before: { duplicate_of: result.before.duplicate_of, locked: result.before.locked_at !== null, ...(closing ? { closes_at: closing.closes_at } : {}) },
          after: { duplicate_of: null, locked: false, ...(closing ? { closes_at: null } : {}) },
          reason: reasonOf(req.body.reason), at: now,
        });
      });
      return answer(req, reply, { redirect: threadUrl(thread), flash: 'Reopened: members can reply again.' });
    }
    const { viewer, thread } = await loadFor(req, 'manage threads');
    if (!thread.closes_at) throw new HttpError(409, 'This thread is not closed, nor set to close.');
    const now = app.now();
    await app.db.transaction().execute(async (tx) => {
      const before = await setClosing(tx, thread.id, null);
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.reopen', target: target(thread),
        before: { closes_at: before.closes_at }, after: { closes_at: null }, reason: reasonOf(req.body.reason), at: now,
      });
    });
    return answer(req, reply, { redirect: threadUrl(thread), flash: 'Reopened: members can reply again.' });
  }));

  for (const [path, unlist] of [['unlist', true], ['relist', false]] as const) {
    app.post(`/t/:id/${path}`, { preValidation: mayManage, schema: form([], {}) }, withForm(async (req, reply) => {
      const { viewer, thread } = await loadFor(req, 'manage threads');
      const now = app.now();
      const changed = await app.db.transaction().execute(async (tx) => {
        const result = await setUnlisted(tx, thread.id, unlist ? now : null);
        if (!result.changed) return false;
        await logAction(tx, {
          actorId: viewer.id, action: `thread.${path}`, target: target(thread),
          before: { unlisted_at: result.before.unlisted_at }, after: { unlisted_at: unlist ? now : null }, reason: reasonOf(req.body.reason), at: now,
        });
        return true;
      });
      const flash = !changed
        ? unlist ? 'It was unlisted already.' : 'It was listed already.'
        : unlist ? 'Unlisted: left out of lists, search and feeds; its address still opens it.' : 'Listed again.';
      return answer(req, reply, { redirect: threadUrl(thread), flash });
    }));
  }

  app.post('/t/:id/move', { preValidation: mayEdit('move'), schema: form(['category'], { category: text(100) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadForEdit(req, 'move');
    const category = await categoryByRef(app.db, req.body.category);
    if (!category) throw fieldError('category', 'There is no such category: give its slug (as in /c/slug) or its id.');
    // Nor into a category the moderator may not read (the thread would leave their reach), nor,
    // for a member, one where they may not start a thread.
    const refused = moveRefusal(viewer, category);
    if (refused) throw refused;
    const now = app.now();
    await app.db.transaction().execute(async (tx) => {
      await moveThread(tx, thread.id, category.id);
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.move', target: target(thread),
        before: { category: thread.category_slug }, after: { category: category.slug }, reason: reasonOf(req.body.reason), at: now,
      });
    });
    return answer(req, reply, { redirect: threadUrl(thread), flash: `Moved to ${category.name}.` });
  }));

  app.post('/t/:id/merge', { preValidation: mayManage, schema: form(['into'], { into: text(200) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadFor(req, 'manage threads');
    const into = parseThreadRef(req.body.into);
    if (into === null) throw fieldError('into', 'Give the number of the thread to merge into (as in /t/12), or its address.');
    // The thread merged into is read as this one is; one that is not there, mergeThread refuses.
    const targetThread = await threadById(app.db, into);
    if (targetThread) assertCanOpenThread(viewer, targetThread);
    const now = app.now();
    const merged = await app.db.transaction().execute(async (tx) => {
      const result = await mergeThread(tx, { sourceId: thread.id, targetId: into, by: viewer.id, at: now });
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.merge', target: target(thread),
        before: { merged_into: null, category: thread.category_slug },
        after: { merged_into: result.target.id, into_title: result.target.title, posts: result.moved, from_post_number: result.firstNumber },
        reason: reasonOf(req.body.reason), at: now,
      });
      return result;
    });
    return answer(req, reply, {
      redirect: threadUrl(merged.target),
      flash: `Merged "${thread.title}" into this thread: its ${merged.moved} posts follow from #${merged.firstNumber}.`,
    });
  }));

  app.post(
    '/t/:id/split',
    { preValidation: mayManage, schema: form(['posts', 'title'], { posts: text(2000), title: text(1000), category: text(100) }) },
    withForm(async (req, reply) => {
      const { viewer, thread } = await loadFor(req, 'manage threads');
      const input = req.body;
      const list = parsePostList(input.posts);
      if ('error' in list) throw fieldError('posts', list.error);
      const title = input.title.trim();
      if (title.length < TITLE_MIN || title.length > TITLE_MAX) throw fieldError('title', `Titles are ${TITLE_MIN} to ${TITLE_MAX} characters.`);
      const category = input.category?.trim() ? await categoryByRef(app.db, input.category) : {
        id: thread.category_id, slug: thread.category_slug, read_role: thread.read_role, read_rank: thread.read_rank,
      };
      if (!category) throw fieldError('category', 'There is no such category: give its slug (as in /c/slug) or its id, or leave it empty.');
      assertCanRead(viewer, category);
      const now = app.now();
      const split = await app.db.transaction().execute(async (tx) => {
        const result = await splitThread(tx, { threadId: thread.id, ...list, title, categoryId: category.id, by: viewer.id, at: now });
        await logAction(tx, {
          actorId: viewer.id, action: 'thread.split', target: target(thread),
          before: { posts: result.moved.map((p) => ({ id: p.id, post_number: p.post_number })) },
          after: { thread: result.thread.id, title, category: category.slug },
          reason: reasonOf(req.body.reason), at: now,
        });
        return result;
      });
      const n = split.moved.length;
      return answer(req, reply, { redirect: threadUrl(split.thread), flash: `Split ${n} ${n === 1 ? 'post' : 'posts'} off "${thread.title}" into this thread.` });
    }),
  );

  app.post('/t/:id/title', { preValidation: mayEdit('retitle'), schema: form(['title'], { title: text(1000) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadForEdit(req, 'retitle');
    const typed = req.body.title.trim();
    if (typed.length < TITLE_MIN || typed.length > TITLE_MAX) throw fieldError('title', `Titles are ${TITLE_MIN} to ${TITLE_MAX} characters.`);
    // The watched words hold for a title what they hold for a post's edit: blocked words refuse it,
    // replaced ones are replaced. A title has no post of its own to hold for review, so one that
    // brings in words to review is refused rather than written past the moderators.
    const screened = await checkEdit(app.db, { viewer, before: { title: thread.title, body: '' }, title: typed, body: '', rules: app.postingRules });
    const review = [...screened.hold, ...screened.flag];
    if (review.length) throw fieldError('title', `A moderator looks at titles with ${review.length === 1 ? 'the word' : 'the words'} ${review.join(', ')}: please choose others.`);
    const title = screened.title ?? typed;
    const now = app.now();
    const changed = await app.db.transaction().execute(async (tx) => {
      const result = await retitleThread(tx, thread.id, title);
      if (!result.changed) return false;
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.retitle', target: target(thread),
        before: { title: result.before.title }, after: { title }, reason: reasonOf(req.body.reason), at: now,
      });
      return true;
    });
    return answer(req, reply, { redirect: threadUrl({ id: thread.id, slug: slugify(title) }), flash: changed ? 'Renamed.' : 'The title was that already.' });
  }));

  app.post('/t/:id/tags', { preValidation: mayEdit('retag'), schema: form([], { tags: text(500) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadForEdit(req, 'retag');
    const parsed = parseTags(req.body.tags ?? '');
    if (parsed.error) throw fieldError('tags', parsed.error);
    const now = app.now();
    const changed = await app.db.transaction().execute(async (tx) => {
      const result = await retagThread(tx, thread.id, parsed.tags);
      if (!result.changed) return false;
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.retag', target: target(thread),
        before: { tags: result.before }, after: { tags: result.after }, reason: reasonOf(req.body.reason), at: now,
      });
      return true;
    });
    return answer(req, reply, { redirect: threadUrl(thread), flash: changed ? 'Tags saved.' : 'The tags were those already.' });
  }));

  app.post('/t/:id/duplicate', { preValidation: mayEdit('close duplicate'), schema: form(['into'], { into: text(200) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadForEdit(req, 'close duplicate');
    const ref = parseThreadRef(req.body.into);
    if (ref === null) throw fieldError('into', 'Give the number of the thread this one duplicates (as in /t/12), or its address.');
    // The original is read as this thread is: one the closer may not open is as good as not there.
    const original = await threadById(app.db, ref);
    if (!original || openThreadRefusal(viewer, original)) throw fieldError('into', `There is no thread ${ref}.`);
    const now = app.now();
    await app.db.transaction().execute(async (tx) => {
      const result = await closeAsDuplicate(tx, { threadId: thread.id, duplicateOf: original.id, by: viewer.id, at: now });
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.duplicate', target: target(thread),
        before: { duplicate_of: null, locked: result.before.locked_at !== null },
        after: { duplicate_of: original.id, original_title: original.title, locked: true }, reason: reasonOf(req.body.reason), at: now,
      });
    });
    return answer(req, reply, { redirect: threadUrl(thread), flash: `Closed as a duplicate of "${original.title}".` });
  }));

  app.post('/t/:id/slow-mode', { preValidation: mayManage, schema: form(['minutes'], { minutes: text(20) }) }, withForm(async (req, reply) => {
    const { viewer, thread } = await loadFor(req, 'manage threads');
    const parsed = parseSlowMinutes(req.body.minutes);
    if ('error' in parsed) throw fieldError('minutes', parsed.error);
    const now = app.now();
    await app.db.transaction().execute(async (tx) => {
      const before = await setSlowMode(tx, thread.id, parsed.seconds);
      await logAction(tx, {
        actorId: viewer.id, action: 'thread.slow_mode', target: target(thread),
        before: { slow_mode_seconds: before.slow_mode_seconds }, after: { slow_mode_seconds: parsed.seconds }, reason: reasonOf(req.body.reason), at: now,
      });
    });
    const flash = parsed.seconds ? `Slow mode: one post per member every ${waitText(parsed.seconds)}.` : 'Slow mode is off.';
    return answer(req, reply, { redirect: threadUrl(thread), flash });
  }));

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
      const { scope, until } = req.body;
      let end: Date | null = null;
      if (until?.trim()) {
        end = new Date(until);
        if (Number.isNaN(end.getTime())) throw invalid({ until: 'Enter a date, like 2026-12-31.' }, 'Enter a date, like 2026-12-31.');
        if (end <= app.now()) throw invalid({ until: 'The end of the pin must be in the future.' }, 'The end of the pin must be in the future.');
      }
      await app.db.transaction().execute((tx) => pinThread(tx, thread.id, { scope, until: end, by: viewer.id }));
      return answer(req, reply, { redirect: threadUrl(thread), flash: scope === 'global' ? 'Pinned across the community.' : 'Pinned in its category.' });
    },
  );

  // A pin's place among the pins shown with it: `direction` up or down one place, or `position`
  // (1 leads). Plain buttons on the thread page.
  app.post(
    '/t/:id/pin/move',
    {
      preValidation: mayPin,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          properties: { direction: { type: 'string', enum: ['up', 'down'] }, position: text(10), _csrf: csrfField },
        },
      },
    },
    async (req, reply) => {
      const { thread, viewer } = await loadFor(req, 'pin');
      const { direction, position } = req.body;
      let to: 'up' | 'down' | number;
      if (position?.trim()) {
        if (!/^\d{1,6}$/.test(position.trim()) || Number(position) < 1) {
          throw invalid({ position: 'Give a place from 1 (first).' }, 'Give a place from 1 (first).');
        }
        to = Number(position);
      } else if (direction) to = direction;
      else throw invalid({ direction: 'Move the pin up or down, or give its place.' }, 'Move the pin up or down, or give its place.');
      const now = app.now();
      const moved = await app.db.transaction().execute((tx) => movePin(tx, thread.id, { to, by: viewer.id, now }));
      if (!moved) throw new HttpError(409, 'This thread is not pinned: only a pin has a place among the pins.');
      const where = thread.pinned_scope === 'global' ? 'the global pins' : 'the pins of its category';
      return answer(req, reply, { redirect: threadUrl(thread), flash: `Pin ${moved.to} of ${moved.of} among ${where}.` });
    },
  );

  // The official response: `post`, a staff reply of this thread, or empty to take the mark away.
  // Brand staff only (officialRefusal); members hear so before anything of the form is read.
  app.post('/t/:id/official', { schema: form([], { post: text(20) }) }, withForm(async (req, reply) => {
    const viewer = requireViewer(req);
    if (!speaksForBrand(viewer.role)) throw forbidden('Choosing the official response is for staff.');
    const thread = await threadById(app.db, req.params.id);
    if (!thread) throw notFound('That thread');
    assertCanOpenThread(viewer, thread);
    const raw = String(req.body.post ?? '').trim().replace(/^p/i, '');
    let postId: number | null = null;
    if (raw) {
      if (!/^\d{1,15}$/.test(raw)) throw fieldError('post', 'Give the id of a staff reply in this thread.');
      postId = Number(raw);
      const refused = officialRefusal(viewer, await officialCandidate(app.db, postId), thread);
      if (refused) throw refused;
    }
    const now = app.now();
    const changed = await app.db.transaction().execute((tx) => setOfficial(tx, { threadId: thread.id, postId, by: viewer.id, at: now }));
    const flash = postId === null
      ? (changed ? 'The thread has no official response now.' : 'The thread had no official response.')
      : (changed ? 'Marked as the official response: it shows under the first post.' : 'That reply was the official response already.');
    return answer(req, reply, { redirect: threadUrl(thread), flash });
  }));

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

// /mod: the review queue, and the actions that resolve its items. Moderators and above only:
// guests are sent to sign in, members refused (403).
//
// Working the queue with htmx, an action answers with the next open item in place of the one
// resolved (an item not already on the moderator's screen: each item carries a `shown` input
// the forms include), with the status line and the navigation's count swapped out of band.
// Without JavaScript the same forms answer 303 to the queue with a flash message.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { QueueKind, QueueResolution } from '../../db/schema.ts';
import { HttpError, invalid, notFound } from '../../errors.ts';
import { can, sanctionRefusal, type Viewer } from '../../permissions.ts';
import { requireRight } from '../../sessions/guards.ts';
import { csrfField, idParams, rowId, text, sentId } from '../../schemas.ts';
import { readableCategories } from '../../access/categories.ts';
import { postErrors } from '../../text/rules.ts';
import { threadUrl } from '../../addresses.ts';
import { appealsForQueue, type QueueAppeal } from '../sanctions/appeals.ts';
import { openItemCount } from '../items.ts';
import { appellantOfItem, itemReadableBy, queueItem, queueItems, resolveItem, setClaim, stillOpen, type QueueFilters, type QueueRow } from './queries.ts';
import { actionDone, actionLabels, actionsFor, claimedByOther, claimLapsesAt, kindLabels, postState, safeQueueAddress } from './rules.ts';
import { flagReasonLabels, flagReasons, NOTE_MAX } from '../flags/rules.ts';
import { loadSetting } from '../settings/queries.ts';

const PAGE = 20;
const kinds = Object.keys(kindLabels) as QueueKind[];
const resolutions = Object.keys(actionLabels) as QueueResolution[];
const stateLabels = { public: 'published', hidden: 'hidden', pending: 'awaiting approval', deleted: 'deleted' } as const;

const filterQuery = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['', ...kinds] },
    reason: { type: 'string', enum: ['', ...flagReasons] },
    category: text(100),
    status: { type: 'string', enum: ['', 'open', 'resolved'] },
    after: rowId,
  },
} as const;

/** Fields every queue form carries: where it came from, and (htmx) the items on screen. */
const queueForm = {
  back: text(300),
  shown: { type: 'array', items: rowId, maxItems: 500 },
  _csrf: csrfField,
} as const;

const actionBody = {
  type: 'object',
  properties: { action: text(20), note: text(NOTE_MAX * 2), body: text(200000), ...queueForm },
} as const;

const claimBody = { type: 'object', properties: queueForm } as const;

type FilterInput = { kind?: string; reason?: string; category?: string; status?: string };

function filtersOf(q: FilterInput): QueueFilters {
  return {
    status: q.status === 'resolved' ? 'resolved' : 'open',
    kind: kinds.find((k) => k === q.kind),
    reason: flagReasons.find((r) => r === q.reason),
    category: q.category || undefined,
  };
}

/** The filters of the queue page a form came from (an item's own page has none). */
function filtersOfAddress(back: string): QueueFilters {
  const params = new URL(back, 'http://queue.invalid').searchParams;
  return filtersOf(Object.fromEntries(params));
}

/** An item as the templates show it, with the flags (who may do what) computed here. */
function itemView(row: QueueRow, viewer: Viewer, now: Date, threshold: number, appeals: Map<number, QueueAppeal>) {
  const open = row.status === 'open';
  const state = row.post_id === null ? null : postState(row);
  const held = row.claimed_at !== null && claimLapsesAt(row.claimed_at) > now;
  const otherClaim = open && claimedByOther(row, viewer.id, now);
  // An appeal is decided only by someone who may sanction its member: others see it, not its buttons.
  const undecidable = row.kind === 'appeal' && row.member_id !== null && row.member_role !== null
    ? (sanctionRefusal(viewer, 'decide appeal', { id: row.member_id, role: row.member_role })?.message ?? null)
    : null;
  const actions = open && !otherClaim && !undecidable ? actionsFor({ kind: row.kind, state, hiddenReason: row.hidden_reason }) : [];
  const flags = row.flags.map((f) => ({ ...f, reasonLabel: flagReasonLabels[f.reason] }));
  return {
    ...row,
    open,
    kindLabel: kindLabels[row.kind],
    state,
    stateLabel: state ? stateLabels[state] : null,
    threadUrl: row.thread_id !== null && row.thread_slug !== null ? threadUrl({ id: row.thread_id, slug: row.thread_slug }) : null,
    flags,
    flagTotal: Math.round(flags.reduce((sum, f) => sum + f.weight, 0) * 100) / 100,
    threshold,
    claimedByMe: open && held && row.claimed_by === viewer.id,
    claimedByOther: otherClaim,
    claimLapses: row.claimed_at ? claimLapsesAt(row.claimed_at) : null,
    undecidable: open ? undecidable : null,
    canClaim: open && !otherClaim && !undecidable && !(held && row.claimed_by === viewer.id),
    buttons: actions.filter((a) => a !== 'edit_approve').map((value) => ({ value, label: actionLabels[value] })),
    canEdit: actions.includes('edit_approve'),
    resolutionLabel: row.resolution ? actionLabels[row.resolution] : null,
    appeal: row.appeal_id !== null ? (appeals.get(row.appeal_id) ?? null) : null,
  };
}

export const queue: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  // Every route here: moderators and above, refused before the body is checked.
  app.addHook('preValidation', requireRight('moderate', 'The review queue is open to moderators only.'));

  const isHtmx = (req: FastifyRequest) => req.headers['hx-request'] === 'true';

  /** Items as the templates show them: with the hide threshold, and appeals with their sanctions. */
  async function viewsOf(viewer: Viewer, rows: QueueRow[]) {
    const appealIds = rows.flatMap((r) => (r.appeal_id === null ? [] : [r.appeal_id]));
    const [threshold, appeals] = await Promise.all([loadSetting(app.db, 'hide_threshold'), appealsForQueue(app.db, appealIds)]);
    const byId = new Map(appeals.map((a) => [a.id, a]));
    const now = app.now();
    return rows.map((r) => itemView(r, viewer, now, threshold, byId));
  }

  async function loadView(viewer: Viewer, id: number) {
    const row = await queueItem(app.db, viewer, id);
    return row ? (await viewsOf(viewer, [row]))[0] : null;
  }

  /** An htmx action refused (resolved or claimed meanwhile, bad input): the item again, saying why. */
  async function refusedInPlace(req: FastifyRequest, reply: FastifyReply, id: number, err: HttpError, back: string, body?: string) {
    const item = await loadView(req.viewer!, id);
    if (!item) return reply.fragment('moderation/all-done', {});
    // htmx swaps 2xx answers only: the refusal is shown in place of the item, with its reason.
    return reply.fragment('moderation/queue-item', { ...item, back, refusal: err.message, editBody: body, editError: err.fieldErrors.body });
  }

  app.get('/', { schema: { querystring: filterQuery } }, async (req, reply) => {
    const viewer = req.viewer!;
    const query = req.query;
    const filters = filtersOf(query);
    const [rows, cats, openCount] = await Promise.all([
      queueItems(app.db, viewer, filters, { limit: PAGE + 1, after: query.after }),
      // Archived categories too: what is in them may still need a moderator.
      readableCategories(app.db, viewer, { archived: true }),
      openItemCount(app.db, viewer),
    ]);
    const items = await viewsOf(viewer, rows.slice(0, PAGE));
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined) as [string, string][]);
    if (rows.length > PAGE) params.set('after', String(items.at(-1)!.id));
    return reply.page('moderation/queue', {
      title: 'Review queue',
      items,
      openCount,
      filters,
      filtered: Boolean(filters.kind || filters.reason || filters.category),
      kinds: kinds.map((value) => ({ value, label: kindLabels[value] })),
      reasons: flagReasons.map((value) => ({ value, label: flagReasonLabels[value] })),
      categories: cats,
      next: rows.length > PAGE ? `/mod?${params}` : null,
      back: req.url,
    });
  });

  app.get('/items/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params;
    const item = await loadView(req.viewer!, id);
    if (!item) throw notFound('That queue item');
    return reply.page('moderation/item', { title: `Queue item ${id}`, item, back: `/mod/items/${id}`, values: {}, errors: {} });
  });

  for (const [path, claim, done] of [
    ['claim', true, 'You have claimed this item: other moderators will leave it to you for a while.'],
    ['unclaim', false, 'The item is back in the queue for anyone.'],
  ] as const) {
    app.post(`/items/:id/${path}`, { schema: { params: idParams, body: claimBody } }, async (req, reply) => {
      const viewer = req.viewer!;
      const { id } = req.params;
      const back = safeQueueAddress(req.body.back);
      if (!(await itemReadableBy(app.db, viewer, id))) throw notFound('That queue item');
      try {
        // A claim keeps others off an item: not for an appeal the moderator may not decide.
        const appellant = await appellantOfItem(app.db, id);
        const refused = appellant && sanctionRefusal(viewer, 'decide appeal', appellant);
        if (refused) throw refused;
        await setClaim(app.db, id, viewer.id, app.now(), claim);
      } catch (err) {
        // With htmx a refusal (resolved or claimed meanwhile) is shown in place of the item.
        if (isHtmx(req) && err instanceof HttpError && err.statusCode < 500) return refusedInPlace(req, reply, id, err, back);
        throw err;
      }
      if (isHtmx(req)) return reply.header('Vary', 'HX-Request').fragment('moderation/queue-item', { ...(await loadView(viewer, id)), back });
      reply.flash('notice', done);
      return reply.redirect(back.startsWith('/mod/items/') ? back : `${back}#item-${id}`, 303);
    });
  }

  // A refused action (resolved or claimed by someone else meanwhile, bad input) shows the item
  // again, as it now is, with the reason and the moderator's text kept.
  const itemForm = {
    template: 'moderation/item',
    title: 'Queue item',
    load: async (req: FastifyRequest) => {
      if (!can(req.viewer, 'moderate')) return {};
      const id = sentId(req.params);
      return { item: await loadView(req.viewer!, id), back: `/mod/items/${id}` };
    },
  };

  app.post(
    '/items/:id',
    { schema: { params: idParams, body: actionBody }, config: { form: itemForm } },
    async (req, reply) => {
      const viewer = req.viewer!;
      const { id } = req.params;
      const input = req.body;
      const back = safeQueueAddress(input.back);
      const note = (input.note ?? '').trim();
      const action = resolutions.find((r) => r === input.action);
      // With htmx a refusal is shown in place of the item; without, the item page says it.
      const refuse = (err: unknown) => {
        if (isHtmx(req) && err instanceof HttpError && err.statusCode < 500) return refusedInPlace(req, reply, id, err, back, input.body);
        throw err;
      };
      if (!action) return refuse(invalid({ action: 'Choose what to do with this item.' }));
      if (note.length > NOTE_MAX) return refuse(invalid({ note: `Keep the note under ${NOTE_MAX} characters.` }));
      const bodyErrors = action === 'edit_approve' ? postErrors(input.body ?? '') : {};
      if (Object.keys(bodyErrors).length) return refuse(invalid(bodyErrors));
      if (!(await itemReadableBy(app.db, viewer, id))) throw notFound('That queue item');
      try {
        await resolveItem(app.db, { itemId: id, action, note, body: input.body, by: viewer, at: app.now() });
      } catch (err) {
        return refuse(err);
      }
      if (!isHtmx(req)) {
        reply.flash('notice', actionDone[action]);
        return reply.redirect(back.startsWith('/mod/items/') ? '/mod' : back, 303);
      }
      // The next open item not yet on the moderator's screen, under the same filters.
      const onScreen = (input.shown ?? []).filter((s) => s !== id);
      const filters = back.startsWith('/mod/items/') ? { status: 'open' as const } : { ...filtersOfAddress(back), status: 'open' as const };
      const [next, remaining, queueCount] = await Promise.all([
        queueItems(app.db, viewer, filters, { limit: 1, exclude: [id, ...onScreen] }).then((rows) => viewsOf(viewer, rows)),
        stillOpen(app.db, onScreen),
        openItemCount(app.db, viewer),
      ]);
      return reply.header('Vary', 'HX-Request').fragment('moderation/resolved', {
        done: actionDone[action],
        next: next[0] ?? null,
        allDone: !next[0] && !remaining.length,
        queueCount,
        back,
      });
    },
  );
};

// The review queue: its items in context (the post, its thread, its flags, its author's record),
// claims, and the one transaction that resolves an item and does what the moderator decided.
import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/index.ts';
import type { Database, FlagReason, QueueKind, QueueResolution } from '../../db/schema.ts';
import { HttpError, notFound } from '../../errors.ts';
import { notice, type NoticeKind } from '../../notifications/queries.ts';
import type { Viewer } from '../../permissions.ts';
import { deletePost, editPost } from '../edits.ts';
import { readableCategoryIds } from '../../access/categories.ts';
import { decideAppeal } from '../sanctions/appeals.ts';
import { logAction } from '../log/write.ts';
import { actionLabels, actionsFor, CLAIM_MINUTES, flagOutcome, postState, type PostState } from './rules.ts';
import { approvePost, hidePost, unhidePost } from '../holds.ts';
import { award, lockMembers, reverse, standing } from '../../reputation/ledger.ts';

export interface QueueFilters {
  status: 'open' | 'resolved';
  kind?: QueueKind;
  reason?: FlagReason;
  /** A category's slug. */
  category?: string;
}

type ItemEb = ExpressionBuilder<Database & { q: Database['queue_items'] }, 'q'>;

/**
 * An item's flags are the post's flags it settled: the unsettled ones while it is open, those
 * settled at its resolution once resolved (both are written in one transaction, at one time).
 */
function flagsOfItem(db: Db) {
  // Correlated with the item (`q`) of the enclosing query.
  return db
    .selectFrom('flags as f')
    .where(sql<boolean>`f.post_id = q.post_id`)
    .where(sql<boolean>`case when q.status = 'open' then f.outcome is null else f.resolved_at = q.resolved_at end`);
}

/**
 * Items with everything a moderator needs to decide, in one query whatever their number (an
 * appeal's sanction and text come from appealsForQueue, in one more).
 */
function itemsInContext(db: Db, viewer: Viewer) {
  return db
    .selectFrom('queue_items as q')
    .leftJoin('posts as p', 'p.id', 'q.post_id')
    .leftJoin('threads as t', 't.id', 'p.thread_id')
    .leftJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('appeals as a', 'a.id', 'q.appeal_id')
    // The member the item is about: the post's author, or the member appealing.
    .leftJoin('users as u', (join) => join.on((eb) => eb('u.id', '=', eb.fn.coalesce('p.user_id', 'a.user_id'))))
    .leftJoin('users as cu', 'cu.id', 'q.claimed_by')
    .leftJoin('users as ru', 'ru.id', 'q.resolved_by')
    // A post in a category the moderator may not read (a staff-only one) is not theirs to review.
    .where((eb) => eb.or([eb('q.post_id', 'is', null), eb('t.category_id', 'in', readableCategoryIds(db, viewer))]))
    .select([
      'q.id', 'q.kind', 'q.post_id', 'q.appeal_id', 'q.detail', 'q.status', 'q.created_at', 'q.claimed_by', 'q.claimed_at',
      'q.resolved_at', 'q.resolution', 'q.note', 'cu.username as claimed_by_name', 'ru.username as resolved_by_name',
      'p.raw', 'p.cooked', 'p.post_number', 'p.created_at as post_created_at', 'p.deleted_at', 'p.hidden_at', 'p.hidden_reason',
      'p.pending_at', 'p.pending_reason', 'p.flag_score', 'p.edit_count',
      't.id as thread_id', 't.title as thread_title', 't.slug as thread_slug', 'c.name as category_name', 'c.slug as category_slug',
      'u.id as member_id', 'u.username as member', 'u.rank as member_rank', 'u.role as member_role', 'u.created_at as member_joined',
      // What the item's avatar is drawn from ({{avatar member_avatar 24}}), read with the name.
      sql<{ username: string; display_name: string; avatar: string | null } | null>`case when u.id is null then null else json_build_object('username', u.username, 'display_name', u.display_name, 'avatar', u.avatar) end`.as('member_avatar'),
    ])
    .select((eb) => [
      jsonArrayFrom(
        flagsOfItem(db)
          .innerJoin('users as fu', 'fu.id', 'f.user_id')
          .select(['f.id', 'f.reason', 'f.note', 'f.weight', 'f.created_at', 'f.outcome', 'fu.username', 'fu.rank'])
          .orderBy('f.id'),
      ).as('flags'),
      // The member's record: how many of their posts were flagged and settled, and how many of
      // those the moderators upheld; and their latest sanctions.
      eb
        .selectFrom('flags as hf')
        .innerJoin('posts as hp', 'hp.id', 'hf.post_id')
        .select(sql<number>`count(distinct hf.post_id)::int`.as('n'))
        .whereRef('hp.user_id', '=', 'u.id')
        .where('hf.outcome', 'is not', null)
        .as('member_flagged'),
      eb
        .selectFrom('flags as hf')
        .innerJoin('posts as hp', 'hp.id', 'hf.post_id')
        .select(sql<number>`count(distinct hf.post_id)::int`.as('n'))
        .whereRef('hp.user_id', '=', 'u.id')
        .where('hf.outcome', '=', 'agreed')
        .as('member_upheld'),
      jsonArrayFrom(
        eb
          .selectFrom('sanctions as hs')
          .select(['hs.id', 'hs.kind', 'hs.reason', 'hs.starts_at', 'hs.ends_at', 'hs.lifted_at'])
          .whereRef('hs.user_id', '=', 'u.id')
          .orderBy('hs.starts_at', 'desc')
          .limit(5),
      ).as('member_sanctions'),
    ]);
}

export type QueueRow = Awaited<ReturnType<ReturnType<typeof itemsInContext>['execute']>>[number];

/**
 * A page of the queue: open items oldest first (the order they are worked in), resolved ones
 * newest first; `after` is the last id of the previous page; `exclude` leaves out items already
 * on the moderator's screen.
 */
export function queueItems(db: Db, viewer: Viewer, f: QueueFilters, opts: { limit: number; after?: number; exclude?: number[] }) {
  const open = f.status === 'open';
  let q = itemsInContext(db, viewer).where('q.status', '=', f.status);
  if (f.kind) q = q.where('q.kind', '=', f.kind);
  if (f.category) q = q.where('c.slug', '=', f.category);
  if (f.reason) {
    const reason = f.reason;
    q = q.where((eb) => eb.exists(flagsOfItem(db).select('f.id').where('f.reason', '=', reason)));
  }
  if (opts.exclude?.length) q = q.where('q.id', 'not in', opts.exclude);
  if (opts.after) q = q.where('q.id', open ? '>' : '<', opts.after);
  return q.orderBy('q.id', open ? 'asc' : 'desc').limit(opts.limit).execute();
}

export function queueItem(db: Db, viewer: Viewer, id: number) {
  return itemsInContext(db, viewer).where('q.id', '=', id).executeTakeFirst();
}

/** Whether the item exists and concerns something the moderator may read. */
export async function itemReadableBy(db: Db, viewer: Viewer, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('queue_items as q')
    .leftJoin('posts as p', 'p.id', 'q.post_id')
    .leftJoin('threads as t', 't.id', 'p.thread_id')
    .select('q.id')
    .where('q.id', '=', id)
    .where((eb) => eb.or([eb('q.post_id', 'is', null), eb('t.category_id', 'in', readableCategoryIds(db, viewer))]))
    .executeTakeFirst();
  return row !== undefined;
}

/** The member an appeal item is about (who appeals their own sanction); undefined for other items. */
export function appellantOfItem(db: Db, itemId: number) {
  return db
    .selectFrom('queue_items as q')
    .innerJoin('appeals as a', 'a.id', 'q.appeal_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['u.id', 'u.role'])
    .where('q.id', '=', itemId)
    .executeTakeFirst();
}

/** Items still open among these (those a moderator has on screen). */
export async function stillOpen(db: Db, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('queue_items').select('id').where('id', 'in', ids).where('status', '=', 'open').execute();
  return rows.map((r) => r.id);
}

const lapsedBefore = (at: Date) => new Date(at.getTime() - CLAIM_MINUTES * 60_000);

/** Claims are free to take when nobody holds them, the moderator holds them, or they lapsed. */
const claimFree = (moderatorId: number, at: Date) => (eb: ItemEb) =>
  eb.or([eb('q.claimed_by', 'is', null), eb('q.claimed_by', '=', moderatorId), eb('q.claimed_at', '<', lapsedBefore(at))]);

/** Why a moderator may not act on an item now: gone, resolved by someone, or claimed by another. */
async function refusalFor(db: Db, itemId: number, moderatorId: number): Promise<HttpError> {
  const item = await db
    .selectFrom('queue_items as q')
    .leftJoin('users as ru', 'ru.id', 'q.resolved_by')
    .leftJoin('users as cu', 'cu.id', 'q.claimed_by')
    .select(['q.status', 'q.resolution', 'q.resolved_by', 'ru.username as resolved_by_name', 'cu.username as claimed_by_name'])
    .where('q.id', '=', itemId)
    .executeTakeFirst();
  if (!item) return notFound('That queue item');
  if (item.status === 'resolved') {
    const who = item.resolved_by === moderatorId ? 'you' : item.resolved_by_name;
    return new HttpError(409, `This item was already resolved by ${who} (${actionLabels[item.resolution!].toLowerCase()}).`);
  }
  return new HttpError(409, `${item.claimed_by_name} has claimed this item and is working on it.`);
}

/**
 * Claims an item for this moderator, so that others leave it to them for a while, or gives it
 * back to the queue (their own claim, or one that lapsed).
 */
export async function setClaim(db: Db, itemId: number, moderatorId: number, at: Date, claim: boolean) {
  const row = await db
    .updateTable('queue_items as q')
    .set(claim ? { claimed_by: moderatorId, claimed_at: at } : { claimed_by: null, claimed_at: null })
    .where('q.id', '=', itemId)
    .where('q.status', '=', 'open')
    .where(claimFree(moderatorId, at))
    .returning('q.id')
    .executeTakeFirst();
  if (!row) throw await refusalFor(db, itemId, moderatorId);
}

export interface Decision {
  itemId: number;
  action: QueueResolution;
  note: string;
  /** The corrected text, for edit_approve. */
  body?: string;
  by: Viewer;
  at: Date;
}

interface PostRow {
  id: number;
  user_id: number;
  thread_id: number;
  post_number: number;
  raw: string;
  deleted_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string | null;
  pending_at: Date | null;
}

const lockPost = (tx: Db, id: number) =>
  tx
    .selectFrom('posts')
    .select(['id', 'user_id', 'thread_id', 'post_number', 'raw', 'deleted_at', 'hidden_at', 'hidden_reason', 'pending_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();

const stateOf = (p: PostRow) => ({ state: postState(p), ...(p.hidden_reason ? { hidden_reason: p.hidden_reason } : {}) });

const because = (note: string) => (note ? ` The moderator's note: “${note}”` : '');

/** What the author hears about their post (nothing when it simply stays as it was). */
function authorNotice(action: QueueResolution, before: PostState, title: string, note: string): { kind: NoticeKind; message: string } | null {
  switch (action) {
    case 'approve':
    case 'edit_approve': {
      const edited = action === 'edit_approve' ? ' edited and' : '';
      if (before === 'pending') return { kind: 'post_approved', message: `A moderator${edited} approved your post in “${title}”: everyone can see it now.${because(note)}` };
      if (before === 'hidden') return { kind: 'post_approved', message: `A moderator reviewed${edited ? ', edited' : ''} and restored your post in “${title}”: everyone can see it again.${because(note)}` };
      if (edited) return { kind: 'post_approved', message: `A moderator edited your post in “${title}”; earlier versions are kept.${because(note)}` };
      return null;
    }
    case 'dismiss':
      return before === 'hidden'
        ? { kind: 'post_approved', message: `A moderator reviewed the flags on your post in “${title}” and restored it: everyone can see it again.` }
        : null;
    case 'reject':
      return { kind: 'post_rejected', message: `A moderator did not approve your post in “${title}”, and it will not be published.${because(note)}` };
    case 'hide':
      return {
        kind: 'post_hidden',
        message: `A moderator hid your post in “${title}”. Only you and the moderators can see it; you may edit it to fix what was wrong.${because(note)}`,
      };
    case 'delete':
      return before === 'deleted' ? null : { kind: 'post_deleted', message: `A moderator deleted your post in “${title}”.${because(note)}` };
    default:
      return null;
  }
}

function flaggerNotice(outcome: 'agreed' | 'disagreed', title: string) {
  return outcome === 'agreed'
    ? `Thank you for flagging a post in “${title}”: a moderator agreed and acted on it.`
    : `A moderator reviewed the post you flagged in “${title}” and decided it can stay.`;
}

/**
 * Resolves an item and does what the moderator decided, in one transaction. The item's update
 * (`where status = 'open'`) decides between two moderators acting at once: one resolves it, the
 * other is told who did. The post's row is locked before the item's, in the order a flag takes
 * them (../flags/queries.ts), so a flag arriving meanwhile waits rather than deadlocks.
 */
export async function resolveItem(db: Db, d: Decision) {
  return db.transaction().execute(async (tx) => {
    const target = await tx.selectFrom('queue_items').select(['id', 'post_id']).where('id', '=', d.itemId).executeTakeFirst();
    if (!target) throw notFound('That queue item');
    const locked = target.post_id === null ? null : await lockPost(tx, target.post_id);
    const item = await tx
      .updateTable('queue_items as q')
      .set({ status: 'resolved', resolved_by: d.by.id, resolved_at: d.at, resolution: d.action, note: d.note })
      .where('q.id', '=', d.itemId)
      .where('q.status', '=', 'open')
      .where(claimFree(d.by.id, d.at))
      .returning(['q.id', 'q.kind', 'q.post_id', 'q.appeal_id'])
      .executeTakeFirst();
    if (!item) throw await refusalFor(tx, d.itemId, d.by.id);
    const allowed = actionsFor({ kind: item.kind, state: locked ? postState(locked) : null, hiddenReason: locked?.hidden_reason });
    if (!allowed.includes(d.action)) throw new HttpError(422, `“${actionLabels[d.action]}” does not apply to this item.`);

    if (item.kind === 'appeal' || !locked) {
      // decideAppeal tells the member and writes the staff log line, in this transaction.
      const outcome = d.action === 'lift' ? 'lift' : 'uphold';
      await decideAppeal(tx, { appealId: item.appeal_id!, outcome, by: d.by.id, note: d.note, at: d.at });
      return { item, title: null };
    }

    const post = locked;
    const { title } = await tx.selectFrom('threads').select('title').where('id', '=', post.thread_id).executeTakeFirstOrThrow();
    const before = postState(post);
    switch (d.action) {
      case 'edit_approve':
        await editPost(tx, { postId: post.id, by: d.by.id, body: d.body ?? post.raw });
      // falls through: an edited post is then approved
      case 'approve':
        if (post.pending_at) await approvePost(tx, post.id, d.at);
        else if (post.hidden_at) {
          await unhidePost(tx, post.id, d.at);
          // A post a moderator hid and then restores gives its author back what hiding took.
          await lockMembers(tx, [post.user_id]);
          await reverse(tx, { userId: post.user_id, kind: 'post_hidden', postId: post.id, at: d.at });
        }
        break;
      case 'reject':
      case 'delete':
        await deletePost(tx, { postId: post.id, by: d.by.id });
        break;
      case 'hide':
        if (!(await hidePost(tx, post.id, 'moderator', d.at))) {
          // Hidden by flags already: it is now the moderator's decision.
          await tx.updateTable('posts').set({ hidden_reason: 'moderator' }).where('id', '=', post.id).execute();
        }
        // Hidden by moderation: −10 to its author, once for as long as it stays hidden.
        await lockMembers(tx, [post.user_id]);
        if (!(await standing(tx, { userId: post.user_id, kind: 'post_hidden', postId: post.id }))) {
          await award(tx, { userId: post.user_id, kind: 'post_hidden', postId: post.id, actorId: d.by.id, at: d.at });
        }
        break;
      case 'dismiss':
        if (post.hidden_reason === 'flags') await unhidePost(tx, post.id, d.at);
        break;
    }
    // Settled flags count no more: a post kept or restored starts again from nothing.
    const after = await tx
      .updateTable('posts')
      .set({ flag_score: 0 })
      .where('id', '=', post.id)
      .returning(['id', 'user_id', 'thread_id', 'post_number', 'raw', 'deleted_at', 'hidden_at', 'hidden_reason', 'pending_at'])
      .executeTakeFirstOrThrow();
    const publicAfter = postState(after) === 'public';

    const outcome = flagOutcome(d.action);
    const settled = outcome
      ? await tx
          .updateTable('flags')
          .set({ outcome, resolved_at: d.at })
          .where('post_id', '=', post.id)
          .where('outcome', 'is', null)
          .returning('user_id')
          .execute()
      : [];
    if (outcome && settled.length) {
      const flaggers = settled.map((f) => f.user_id);
      await tx
        .updateTable('users')
        .set((eb) => (outcome === 'agreed' ? { flags_agreed: eb('flags_agreed', '+', 1) } : { flags_disagreed: eb('flags_disagreed', '+', 1) }))
        .where('id', 'in', flaggers)
        .execute();
      // A flagger may open the post again only if it is still public.
      const about = publicAfter ? { postId: post.id, threadId: post.thread_id } : {};
      for (const userId of flaggers) await notice(tx, { userId, kind: 'flag_outcome', message: flaggerNotice(outcome, title), ...about });
    }

    const told = authorNotice(d.action, before, title, d.note);
    if (told) {
      // Its author can open the post unless it is deleted.
      const about = after.deleted_at ? {} : { postId: post.id, threadId: post.thread_id };
      await notice(tx, { userId: post.user_id, kind: told.kind, message: told.message, ...about });
    }

    const edited = d.action === 'edit_approve' && after.raw !== post.raw;
    await logAction(tx, {
      actorId: d.by.id,
      action: `queue.${d.action}`,
      target: { type: 'post', id: post.id, label: title },
      before: { item: item.id, kind: item.kind, ...stateOf(post), ...(edited ? { body: post.raw } : {}) },
      after: { ...stateOf(after), ...(edited ? { body: after.raw } : {}), ...(outcome ? { flags: outcome, flaggers: settled.length } : {}) },
      reason: d.note,
      at: d.at,
    });
    return { item, title };
  });
}

// The queries of staff's thread actions: pin, lock, close, unlist, move, merge, split, slow mode.
// Each runs in the caller's transaction and takes the thread's row lock first (two moderators
// acting on one thread at once go one after the other). Moves, merges and splits keep the counters
// lists show (replies, last post, a category's threads; triggers keep a tag's) as they would be if
// the posts had been written where they now are. Pins and locks write their staff log line
// themselves; the routes write the others'.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { HttpError } from '../../errors.ts';
import { isPublic } from '../../permissions.ts';
import { slugify } from '../../addresses.ts';
import { publicPost } from '../../access/posts.ts';
import { listedThread } from '../../access/threads.ts';
import { logAction } from '../../moderation/log/write.ts';

/** A category named by its slug or its id (the move and split forms take either), with who may read it and post in it. */
export function categoryByRef(db: Db, ref: string) {
  const key = ref.trim();
  const q = db.selectFrom('categories').select(['id', 'slug', 'name', 'read_role', 'read_rank', 'post_role', 'post_rank']);
  return (/^\d{1,15}$/.test(key) ? q.where('id', '=', Number(key)) : q.where('slug', '=', key.toLowerCase())).executeTakeFirst();
}

/** The thread's row, locked until the transaction ends. */
function findLocked(tx: Db, threadId: number) {
  return tx
    .selectFrom('threads')
    .select([
      'id', 'title', 'slug', 'category_id', 'user_id', 'deleted_at', 'hidden_at', 'pending_at', 'unlisted_at', 'closes_at',
      'slow_mode_seconds', 'merged_into', 'last_post_number',
    ])
    .where('id', '=', threadId)
    .forUpdate()
    .executeTakeFirst();
}

/** As findLocked; not found: deleted or merged away meanwhile. */
async function lockThreadRow(tx: Db, threadId: number) {
  const thread = await findLocked(tx, threadId);
  if (!thread || thread.deleted_at) throw new HttpError(404, 'That thread could not be found.');
  return thread;
}

async function countInCategory(tx: Db, categoryId: number, by: 1 | -1) {
  await tx
    .updateTable('categories')
    .set((eb) => ({ thread_count: eb('thread_count', by === 1 ? '+' : '-', 1) }))
    .where('id', '=', categoryId)
    .execute();
}

/**
 * A thread's counters from its posts: public replies, and its last public post (the first post's
 * time when it has no reply). Used after posts move in or out, where counting beats adjusting.
 */
async function recountThread(tx: Db, threadId: number) {
  await tx
    .updateTable('threads as t')
    .set((eb) => {
      const last = () =>
        eb.selectFrom('posts as p').where('p.thread_id', '=', threadId).where(publicPost).orderBy('p.created_at', 'desc').orderBy('p.post_number', 'desc').limit(1);
      return {
        reply_count: eb
          .selectFrom('posts as p')
          .select((s) => s.fn.countAll<number>().as('n'))
          .where('p.thread_id', '=', threadId)
          .where('p.post_number', '>', 1)
          .where(publicPost),
        last_post_at: eb.fn.coalesce(last().select('p.created_at'), eb.ref('t.created_at')),
        last_post_user_id: eb.fn.coalesce(last().select('p.user_id'), eb.ref('t.user_id')),
      };
    })
    .where('t.id', '=', threadId)
    .execute();
}

/** Sets (or clears) when a thread closes. Answers the time it had before. */
export async function setClosing(tx: Db, threadId: number, closesAt: Date | null) {
  const before = await lockThreadRow(tx, threadId);
  await tx.updateTable('threads').set({ closes_at: closesAt }).where('id', '=', threadId).execute();
  return before;
}

/** Unlists (a time) or lists again (null). Answers the thread before, and whether anything changed. */
export async function setUnlisted(tx: Db, threadId: number, at: Date | null) {
  const before = await lockThreadRow(tx, threadId);
  if ((before.unlisted_at === null) === (at === null)) return { before, changed: false };
  await tx.updateTable('threads').set({ unlisted_at: at }).where('id', '=', threadId).execute();
  return { before, changed: true };
}

export async function setSlowMode(tx: Db, threadId: number, seconds: number) {
  const before = await lockThreadRow(tx, threadId);
  await tx.updateTable('threads').set({ slow_mode_seconds: seconds }).where('id', '=', threadId).execute();
  return before;
}

/** Open queue items follow their posts into another category (the queue filters by category). */
async function queueItemsFollow(tx: Db, threadId: number, categoryId: number) {
  await tx
    .updateTable('queue_items')
    .set({ category_id: categoryId })
    .where('post_id', 'in', (eb) => eb.selectFrom('posts').select('id').where('thread_id', '=', threadId))
    .where('category_id', '<>', categoryId)
    .execute();
}

/** Moves a thread to another category; the thread counts of both follow if it is public. */
export async function moveThread(tx: Db, threadId: number, categoryId: number) {
  const before = await lockThreadRow(tx, threadId);
  if (before.category_id === categoryId) throw new HttpError(409, 'The thread is in that category already.', { category: 'The thread is in that category already.' });
  await tx.updateTable('threads').set({ category_id: categoryId }).where('id', '=', threadId).execute();
  // Listed or not, a thread counts in its category while it is public.
  if (isPublic(before)) {
    await countInCategory(tx, before.category_id, -1);
    await countInCategory(tx, categoryId, 1);
  }
  await queueItemsFollow(tx, threadId, categoryId);
  return before;
}

/**
 * Merges a thread into another: its posts follow the target's last post, in their order, with
 * the next numbers (never reusing one, as the target's last_post_number never goes down). The
 * source is left empty, deleted and pointing at the target, so its address leads there.
 * Watchers, notifications and read state follow the posts.
 */
export async function mergeThread(tx: Db, m: { sourceId: number; targetId: number; by: number; at: Date }) {
  if (m.sourceId === m.targetId) throw new HttpError(422, 'A thread cannot be merged into itself.', { into: 'Choose another thread.' });
  // Both rows locked in id order, so that two merges of the same pair cannot deadlock.
  const [first, second] = [Math.min(m.sourceId, m.targetId), Math.max(m.sourceId, m.targetId)];
  const locked = [await findLocked(tx, first), await findLocked(tx, second)].filter((t) => t && !t.deleted_at);
  const source = locked.find((t) => t?.id === m.sourceId);
  const target = locked.find((t) => t?.id === m.targetId);
  if (!source) throw new HttpError(404, 'That thread could not be found.');
  if (!target) throw new HttpError(422, `There is no thread ${m.targetId} to merge into.`, { into: `There is no thread ${m.targetId}.` });

  const offset = target.last_post_number;
  const moved = await sql<{ id: number }>`
    update posts p set thread_id = ${target.id}, post_number = ${offset} + m.rn
    from (select id, row_number() over (order by post_number) as rn from posts where thread_id = ${source.id}) m
    where p.id = m.id
    returning p.id`.execute(tx);
  const count = moved.rows.length;
  await tx.updateTable('threads').set({ last_post_number: offset + count }).where('id', '=', target.id).execute();
  await recountThread(tx, target.id);

  await tx
    .updateTable('threads')
    .set({ merged_into: target.id, deleted_at: m.at, deleted_by: m.by, reply_count: 0 })
    .where('id', '=', source.id)
    .execute();
  if (isPublic(source)) {
    await countInCategory(tx, source.category_id, -1);
  }

  // Who read all of both threads has read all of the merged one.
  await sql`
    update thread_reads tr set last_read_post_number = ${offset + count}, updated_at = now()
    from thread_reads sr
    where tr.thread_id = ${target.id} and tr.last_read_post_number >= ${offset}
      and sr.thread_id = ${source.id} and sr.user_id = tr.user_id and sr.last_read_post_number >= ${source.last_post_number}`.execute(tx);
  await sql`
    insert into thread_watches (user_id, thread_id, level)
    select user_id, ${target.id}, level from thread_watches where thread_id = ${source.id}
    on conflict do nothing`.execute(tx);
  await tx.updateTable('notifications').set({ thread_id: target.id }).where('thread_id', '=', source.id).execute();
  if (source.category_id !== target.category_id) await queueItemsFollow(tx, target.id, target.category_id);
  return { source, target, moved: count, firstNumber: offset + 1 };
}

/**
 * Splits replies off into a new thread: the first of them becomes its first post, the rest
 * follow in their order, numbered from 1. The old thread keeps its numbers (gaps where the posts
 * were), as deleting would. Who had read past the moved posts has read the new thread.
 */
export async function splitThread(
  tx: Db,
  s: { threadId: number; numbers: number[]; ids: number[]; title: string; categoryId: number; by: number; at: Date },
) {
  const source = await lockThreadRow(tx, s.threadId);
  const chosen = await tx
    .selectFrom('posts')
    .select(['id', 'post_number', 'user_id', 'created_at', 'deleted_at', 'hidden_at', 'pending_at'])
    .where('thread_id', '=', source.id)
    .where((eb) =>
      eb.or([
        s.numbers.length ? eb('post_number', 'in', s.numbers) : eb.lit(false),
        s.ids.length ? eb('id', 'in', s.ids) : eb.lit(false),
      ]),
    )
    .orderBy('post_number')
    .execute();
  const missingNumbers = s.numbers.filter((n) => !chosen.some((p) => p.post_number === n));
  const missingIds = s.ids.filter((id) => !chosen.some((p) => p.id === id));
  const refuse = (message: string) => new HttpError(422, message, { posts: message });
  if (missingNumbers.length || missingIds.length) {
    const named = [...missingNumbers.map((n) => `#${n}`), ...missingIds.map((id) => `p${id}`)].slice(0, 5).join(', ');
    throw refuse(`This thread has no post ${named}.`);
  }
  if (chosen.some((p) => p.post_number === 1)) throw refuse('The first post stays with its thread; choose replies only.');
  const first = chosen[0];
  if (!first) throw refuse('Name the replies to move.');
  if (!isPublic(first)) {
    throw refuse(`Post #${first.post_number} is deleted, hidden or awaiting approval: it cannot open a thread.`);
  }

  const thread = await tx
    .insertInto('threads')
    .values({
      category_id: s.categoryId,
      user_id: first.user_id,
      title: s.title,
      slug: slugify(s.title),
      created_at: first.created_at,
      last_post_at: first.created_at,
      last_post_user_id: first.user_id,
      last_post_number: chosen.length,
    })
    .returning(['id', 'slug', 'title'])
    .executeTakeFirstOrThrow();
  const ids = chosen.map((p) => p.id);
  await sql`
    update posts p set thread_id = ${thread.id}, post_number = m.rn
    from (select id, row_number() over (order by post_number) as rn from posts where id = any(${ids}::bigint[])) m
    where p.id = m.id`.execute(tx);
  await recountThread(tx, thread.id);
  await recountThread(tx, source.id);
  await countInCategory(tx, s.categoryId, 1);

  const lastMoved = chosen[chosen.length - 1].post_number;
  await sql`
    insert into thread_reads (user_id, thread_id, last_read_post_number)
    select user_id, ${thread.id}, ${chosen.length} from thread_reads
    where thread_id = ${source.id} and last_read_post_number >= ${lastMoved}
    on conflict do nothing`.execute(tx);
  await tx.updateTable('notifications').set({ thread_id: thread.id }).where('post_id', 'in', ids).execute();
  if (s.categoryId !== source.category_id) await queueItemsFollow(tx, thread.id, s.categoryId);
  return { source, thread, moved: chosen };
}

// Pins and locks.

/** The thread as it is, locked so that what the log calls "before" is what the change replaced. */
function current(tx: Db, threadId: number) {
  return tx
    .selectFrom('threads')
    .select(['id', 'title', 'category_id', 'pinned_scope', 'pinned_until', 'pin_position', 'locked_at'])
    .where('id', '=', threadId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

const pinState = (t: { pinned_scope: string | null; pinned_until: Date | null }) => ({ pinned: t.pinned_scope, until: t.pinned_until });

/**
 * The pins shown together with a thread pinned so: every global pin, or the category's own pins.
 * Their rows are locked in id order (two staff reordering at once go one after the other, and
 * cannot deadlock), and answered in the order lists show them.
 */
async function pinGroup(tx: Db, scope: 'category' | 'global', categoryId: number, now: Date) {
  const rows = await tx
    .selectFrom('threads as t')
    .select(['t.id', 't.title', 't.pin_position', 't.last_post_at'])
    .where('t.pinned_scope', '=', scope)
    .$if(scope === 'category', (q) => q.where('t.category_id', '=', categoryId))
    .where((eb) => eb.or([eb('t.pinned_until', 'is', null), eb('t.pinned_until', '>', now)]))
    .where(listedThread)
    .orderBy('t.id')
    .forUpdate()
    .execute();
  // As latestThreads and categoryThreads order them: by place, then the latest activity.
  return rows.sort(
    (a, b) => (a.pin_position ?? Infinity) - (b.pin_position ?? Infinity) || b.last_post_at.getTime() - a.last_post_at.getTime() || b.id - a.id,
  );
}

/** The next place after the last among the pins shown with one pinned so: a new pin goes last. */
async function lastPlace(tx: Db, scope: 'category' | 'global', categoryId: number) {
  const row = await tx
    .selectFrom('threads')
    .select((eb) => eb.fn.max('pin_position').as('last'))
    .where('pinned_scope', '=', scope)
    .$if(scope === 'category', (q) => q.where('category_id', '=', categoryId))
    .executeTakeFirst();
  return (row?.last ?? 0) + 1;
}

/** Pins a thread; answers whether anything changed (the same pin again changes nothing and logs nothing). */
export async function pinThread(tx: Db, threadId: number, p: { scope: 'category' | 'global'; until: Date | null; by: number }) {
  const before = await current(tx, threadId);
  if (before.pinned_scope === p.scope && before.pinned_until?.getTime() === p.until?.getTime()) return false;
  // A pin that only changes its end keeps its place; a new pin, or one moved between the global
  // and the category's pins, goes last among them.
  const position = before.pinned_scope === p.scope ? before.pin_position : await lastPlace(tx, p.scope, before.category_id);
  await tx
    .updateTable('threads')
    .set({ pinned_scope: p.scope, pinned_at: new Date(), pinned_until: p.until, pin_position: position })
    .where('id', '=', threadId)
    .execute();
  await logAction(tx, {
    actorId: p.by,
    action: 'thread.pin',
    target: { type: 'thread', id: threadId, label: before.title },
    before: pinState(before),
    after: pinState({ pinned_scope: p.scope, pinned_until: p.until }),
  });
  return true;
}

export async function unpinThread(tx: Db, threadId: number, by: number) {
  const before = await current(tx, threadId);
  if (before.pinned_scope === null) return false;
  await tx.updateTable('threads').set({ pinned_scope: null, pinned_at: null, pinned_until: null, pin_position: null }).where('id', '=', threadId).execute();
  await logAction(tx, {
    actorId: by,
    action: 'thread.unpin',
    target: { type: 'thread', id: threadId, label: before.title },
    before: pinState(before),
    after: pinState({ pinned_scope: null, pinned_until: null }),
  });
  return true;
}

/**
 * Moves a pin among the pins shown with it: one place up or down, or to a place (1 leads; past
 * the last, last). The group is numbered 1, 2, 3… again in its new order. Answers the old and
 * new places, or null when the thread is not pinned now; a move that changes nothing logs nothing.
 */
export async function movePin(
  tx: Db,
  threadId: number,
  m: { to: 'up' | 'down' | number; by: number; now: Date },
): Promise<{ from: number; to: number; of: number } | null> {
  const thread = await current(tx, threadId);
  if (!thread.pinned_scope || (thread.pinned_until && thread.pinned_until <= m.now)) return null;
  const group = await pinGroup(tx, thread.pinned_scope, thread.category_id, m.now);
  const from = group.findIndex((t) => t.id === threadId);
  if (from < 0) return null;
  const wanted = m.to === 'up' ? from - 1 : m.to === 'down' ? from + 1 : m.to - 1;
  const to = Math.max(0, Math.min(group.length - 1, wanted));
  const result = { from: from + 1, to: to + 1, of: group.length };
  if (to === from) return result;
  const [moved] = group.splice(from, 1);
  group.splice(to, 0, moved);
  for (const [i, t] of group.entries()) {
    if (t.pin_position !== i + 1) await tx.updateTable('threads').set({ pin_position: i + 1 }).where('id', '=', t.id).execute();
  }
  await logAction(tx, {
    actorId: m.by,
    action: 'thread.pin_move',
    target: { type: 'thread', id: threadId, label: thread.title },
    before: { pinned: thread.pinned_scope, position: result.from },
    after: { pinned: thread.pinned_scope, position: result.to },
    at: m.now,
  });
  return result;
}

/** Locks (`locked: true`) or unlocks a thread; answers whether anything changed. */
export async function lockThread(tx: Db, threadId: number, l: { locked: boolean; by: number }) {
  const before = await current(tx, threadId);
  if ((before.locked_at !== null) === l.locked) return false;
  await tx
    .updateTable('threads')
    // A duplicate's pointer stands only while it is locked (migrations/0030): unlocking reopens it.
    .set(l.locked ? { locked_at: new Date(), locked_by: l.by } : { locked_at: null, locked_by: null, duplicate_of: null })
    .where('id', '=', threadId)
    .execute();
  await logAction(tx, {
    actorId: l.by,
    action: l.locked ? 'thread.lock' : 'thread.unlock',
    target: { type: 'thread', id: threadId, label: before.title },
    before: { locked: !l.locked },
    after: { locked: l.locked },
  });
  return true;
}

// Thread edits that follow rank (threadEditRefusal in server/permissions.ts): a title, tags, a
// duplicate's closing and reopening. Each under the thread's row lock, answering what it replaced
// for the staff log line the route writes in the same transaction.

/** Renames a thread (its slug follows; old slugs lead to the new address). */
export async function retitleThread(tx: Db, threadId: number, title: string) {
  const before = await lockThreadRow(tx, threadId);
  if (before.title === title) return { before, changed: false };
  await tx.updateTable('threads').set({ title, slug: slugify(title) }).where('id', '=', threadId).execute();
  return { before, changed: true };
}

/**
 * Sets a thread's tags to these names, creating tags that do not exist yet. Only the difference
 * is written, so a tag kept is neither removed nor added (its count, kept by the triggers of
 * migrations/0026, does not move), and new ones go on in id order, the order the triggers lock
 * tags in. Answers the names before and after.
 */
export async function retagThread(tx: Db, threadId: number, names: string[]) {
  await lockThreadRow(tx, threadId);
  const current = await tx
    .selectFrom('thread_tags as tt')
    .innerJoin('tags as g', 'g.id', 'tt.tag_id')
    .select(['g.id', 'g.name'])
    .where('tt.thread_id', '=', threadId)
    .orderBy('g.name')
    .execute();
  const before = current.map((t) => t.name);
  const dropped = current.filter((t) => !names.includes(t.name)).map((t) => t.id).sort((a, b) => a - b);
  const added = names.filter((n) => !before.includes(n));
  if (dropped.length) await tx.deleteFrom('thread_tags').where('thread_id', '=', threadId).where('tag_id', 'in', dropped).execute();
  if (added.length) {
    await tx.insertInto('tags').values(added.map((name) => ({ name }))).onConflict((oc) => oc.column('name').doNothing()).execute();
    const tags = await tx.selectFrom('tags').select('id').where('name', 'in', added).orderBy('id').execute();
    await tx.insertInto('thread_tags').values(tags.map((t) => ({ thread_id: threadId, tag_id: t.id }))).execute();
  }
  return { before, after: [...names].sort(), changed: dropped.length > 0 || added.length > 0 };
}

/**
 * Closes a thread as a duplicate of another: locked, and pointing at it. Both rows locked in id
 * order (as a merge locks them), so that two threads closed as each other's duplicates at once
 * cannot deadlock, and the second finds the first closed and is refused: no thread ends up
 * pointing at one that points back.
 */
export async function closeAsDuplicate(tx: Db, c: { threadId: number; duplicateOf: number; by: number; at: Date }) {
  const refuse = (message: string) => new HttpError(422, message, { into: message });
  if (c.threadId === c.duplicateOf) throw refuse('A thread cannot be a duplicate of itself.');
  const ids = [Math.min(c.threadId, c.duplicateOf), Math.max(c.threadId, c.duplicateOf)];
  const rows = await tx
    .selectFrom('threads')
    .select(['id', 'title', 'slug', 'deleted_at', 'locked_at', 'duplicate_of'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  const thread = rows.find((t) => t.id === c.threadId && !t.deleted_at);
  const original = rows.find((t) => t.id === c.duplicateOf && !t.deleted_at);
  if (!thread) throw new HttpError(404, 'That thread could not be found.');
  if (thread.duplicate_of !== null) throw new HttpError(409, 'This thread is closed as a duplicate already.');
  if (!original) throw refuse(`There is no thread ${c.duplicateOf}.`);
  if (original.duplicate_of !== null) throw refuse(`Thread ${original.id} is itself closed as a duplicate: point at the thread it duplicates.`);
  await tx
    .updateTable('threads')
    .set({ duplicate_of: original.id, locked_at: thread.locked_at ?? c.at, locked_by: c.by })
    .where('id', '=', thread.id)
    .execute();
  return { before: thread, original };
}

/** Reopens a thread closed as a duplicate: unlocked, and pointing nowhere. */
export async function reopenDuplicate(tx: Db, threadId: number) {
  const before = await tx
    .selectFrom('threads')
    .select(['id', 'title', 'duplicate_of', 'locked_at', 'deleted_at'])
    .where('id', '=', threadId)
    .forUpdate()
    .executeTakeFirst();
  if (!before || before.deleted_at) throw new HttpError(404, 'That thread could not be found.');
  // Another reopening (or an unlock) landed first: nothing is left to do, and nothing to log.
  if (before.duplicate_of === null) return { before, changed: false };
  await tx.updateTable('threads').set({ duplicate_of: null, locked_at: null, locked_by: null }).where('id', '=', threadId).execute();
  return { before, changed: true };
}

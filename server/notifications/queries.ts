// Who hears about a new post, and each member's notifications.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { NotificationKind, WatchLevel } from '../db/schema.ts';
import { canSee, canReadCategory, type Viewer } from '../permissions.ts';
import { readableCategoryIds } from '../access/categories.ts';
import { readerKinds, shownNotification, type ReaderKind } from '../access/notifications.ts';

const priority: Record<ReaderKind, number> = { mention: 3, reply: 2, watching: 1 };

export type NoticeKind = Exclude<NotificationKind, ReaderKind>;

/**
 * A notice about moderation to one member: what happened, in a message of its own, maybe about
 * a post (which the member can always open: their own, or one they flagged).
 */
export async function notice(
  db: Db,
  n: { userId: number; kind: NoticeKind; message: string; postId?: number | null; threadId?: number | null; actorId?: number | null },
) {
  await db
    .insertInto('notifications')
    .values({ user_id: n.userId, kind: n.kind, message: n.message, post_id: n.postId ?? null, thread_id: n.threadId ?? null, actor_id: n.actorId ?? null })
    .execute();
}

export interface NewPostFacts {
  postId: number;
  threadId: number;
  categoryId: number;
  authorId: number;
  /** The thread's starter, told of replies (absent for a thread's first post). */
  threadAuthorId?: number;
  mentionedIds: number[];
}

/**
 * One notification per member for a new post: a mention beats a reply beats a watched thread
 * or category. A mute (of the thread, or of its category) silences all but direct mentions.
 * The author never hears of their own post.
 */
export async function notifyForPost(db: Db, p: NewPostFacts): Promise<number> {
  const watches = await db
    .selectFrom('thread_watches')
    .select(['user_id', 'level'])
    .where('thread_id', '=', p.threadId)
    .unionAll(db.selectFrom('category_watches').select(['user_id', 'level']).where('category_id', '=', p.categoryId))
    .execute();
  const muted = new Set(watches.filter((w) => w.level === 'muted').map((w) => w.user_id));
  const recipients = new Map<number, ReaderKind>();
  const offer = (userId: number, kind: ReaderKind) => {
    if (userId === p.authorId) return;
    if (kind !== 'mention' && muted.has(userId)) return;
    const current = recipients.get(userId);
    if (!current || priority[kind] > priority[current]) recipients.set(userId, kind);
  };
  for (const w of watches) if (w.level === 'watching') offer(w.user_id, 'watching');
  if (p.threadAuthorId !== undefined) offer(p.threadAuthorId, 'reply');
  for (const id of p.mentionedIds) offer(id, 'mention');
  if (!recipients.size) return 0;
  // Nobody hears of a post in a category they may not read, mentioned or not.
  const readers = await db
    .selectFrom('users as u')
    .innerJoin('categories as c', (join) => join.on('c.id', '=', p.categoryId))
    // Or let in by name (an invite's category).
    .leftJoin('category_members as cm', (join) => join.onRef('cm.category_id', '=', 'c.id').onRef('cm.user_id', '=', 'u.id'))
    .select(['u.id', 'u.username', 'u.role', 'u.rank', 'c.id as category_id', 'c.read_role', 'c.read_rank', 'cm.category_id as member_of'])
    .where('u.id', 'in', [...recipients.keys()])
    .execute();
  for (const r of readers) {
    const reader = { ...r, memberOf: r.member_of !== null ? [r.member_of] : [] };
    if (!canReadCategory(reader, r)) recipients.delete(r.id);
  }
  if (!recipients.size) return 0;
  await db
    .insertInto('notifications')
    .values(
      [...recipients].map(([user_id, kind]) => ({ user_id, kind, thread_id: p.threadId, post_id: p.postId, actor_id: p.authorId })),
    )
    .onConflict((oc) =>
      // The index's own predicate, written out so PostgreSQL can match it (a parameter could not).
      oc.columns(['user_id', 'post_id']).where(sql<boolean>`kind in ('mention', 'reply', 'watching')`).doNothing(),
    )
    .execute();
  return recipients.size;
}

/** A member's notifications as the list shows them, with what each needs to say where it leads. */
function notificationRows(db: Db, viewer: Viewer) {
  return db
    .selectFrom('notifications as n')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .leftJoin('threads as t', 't.id', 'n.thread_id')
    .leftJoin('posts as p', 'p.id', 'n.post_id')
    .leftJoin('categories as c', 'c.id', 't.category_id')
    .select([
      'n.id', 'n.kind', 'n.message', 'n.created_at', 'n.read_at', 'n.post_id', 'n.link as page_link', 'a.username as actor', 't.title as thread_title',
      // The actor's avatar, read with their name.
      'a.display_name as actor_display_name', 'a.avatar as actor_avatar',
      'p.user_id as post_user_id', 'p.deleted_at as post_deleted_at', 'p.hidden_at as post_hidden_at', 'p.pending_at as post_pending_at',
      't.user_id as thread_user_id', 't.deleted_at as thread_deleted_at', 't.hidden_at as thread_hidden_at', 't.pending_at as thread_pending_at',
      'c.read_role', 'c.read_rank',
    ])
    .where('n.user_id', '=', viewer.id)
    .where(shownNotification)
    // Nobody hears of a post in a category they may no longer read.
    .where((eb) => eb.or([eb('n.kind', 'not in', readerKinds), eb('t.category_id', 'in', readableCategoryIds(db, viewer))]));
}

type NotificationRow = Awaited<ReturnType<ReturnType<typeof notificationRows>['executeTakeFirstOrThrow']>>;

/**
 * What the list shows of one notification: a notice shows its message, and links to its post
 * only if the member may open it now (their own held post, yes; a post they flagged that was
 * hidden since, no). A reader's notification is shown only while its post is public.
 */
function shown(viewer: Viewer, n: NotificationRow) {
  const notice = !(readerKinds as string[]).includes(n.kind);
  const post = { user_id: n.post_user_id!, deleted_at: n.post_deleted_at, hidden_at: n.post_hidden_at, pending_at: n.post_pending_at };
  const thread = { user_id: n.thread_user_id!, deleted_at: n.thread_deleted_at, hidden_at: n.thread_hidden_at, pending_at: n.thread_pending_at };
  const reachable =
    n.post_id !== null && n.post_user_id !== null && n.thread_user_id !== null && n.read_rank !== null &&
    canSee(viewer, post) && canSee(viewer, thread) && canReadCategory(viewer, { read_role: n.read_role, read_rank: n.read_rank });
  return {
    id: n.id, kind: n.kind, created_at: n.created_at, read_at: n.read_at, post_id: n.post_id, actor: n.actor,
    actor_owner: n.actor ? { username: n.actor, display_name: n.actor_display_name, avatar: n.actor_avatar } : null,
    notice,
    message: n.message,
    link: reachable ? `/p/${n.post_id}` : null,
    thread_title: reachable ? n.thread_title : null,
    // A notice of recognition leads to its own page (a badge's, a profile, a nomination).
    page_link: n.page_link,
  };
}

export async function notificationsOf(db: Db, viewer: Viewer, limit = 50) {
  const rows = await notificationRows(db, viewer).orderBy('n.id', 'desc').limit(limit).execute();
  return rows.map((n) => shown(viewer, n));
}

/** One of the member's shown notifications (undefined if it is not theirs or not shown). */
export async function notificationOf(db: Db, viewer: Viewer, id: number) {
  const row = await notificationRows(db, viewer).where('n.id', '=', id).executeTakeFirst();
  return row && shown(viewer, row);
}

/** Marks one notification read and answers the post it is about (undefined if not theirs). */
export async function markRead(db: Db, userId: number, id: number) {
  return db
    .updateTable('notifications')
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning('post_id')
    .executeTakeFirst();
}

export async function markAllRead(db: Db, userId: number) {
  await db.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

/** Notifications about posts that are gone are removed, so unread counts stay true. */
export async function forgetPosts(db: Db, where: { postId: number } | { threadId: number }) {
  // Notices about moderation stay: they tell the author what happened to the post.
  const q = db.deleteFrom('notifications').where('kind', 'in', readerKinds);
  await ('postId' in where ? q.where('post_id', '=', where.postId) : q.where('thread_id', '=', where.threadId)).execute();
}

/** A thread to watch or mute, with what deciding who may is needed (a deleted one is not there). */
export function threadToWatch(db: Db, id: number) {
  return db
    .selectFrom('threads as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .select(['t.id', 't.slug', 't.user_id', 't.deleted_at', 't.hidden_at', 't.pending_at', 'c.read_role', 'c.read_rank'])
    .where('t.id', '=', id)
    .where('t.deleted_at', 'is', null)
    .executeTakeFirst();
}

/** A category to watch or mute, with who may read it. */
export function categoryToWatch(db: Db, slug: string) {
  return db.selectFrom('categories').select(['id', 'slug', 'read_role', 'read_rank']).where('slug', '=', slug).executeTakeFirst();
}

export async function setThreadWatch(db: Db, userId: number, threadId: number, level: WatchLevel | 'normal') {
  if (level === 'normal') {
    await db.deleteFrom('thread_watches').where('user_id', '=', userId).where('thread_id', '=', threadId).execute();
    return;
  }
  await db
    .insertInto('thread_watches')
    .values({ user_id: userId, thread_id: threadId, level })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ level }))
    .execute();
}

export async function setCategoryWatch(db: Db, userId: number, categoryId: number, level: WatchLevel | 'normal') {
  if (level === 'normal') {
    await db.deleteFrom('category_watches').where('user_id', '=', userId).where('category_id', '=', categoryId).execute();
    return;
  }
  await db
    .insertInto('category_watches')
    .values({ user_id: userId, category_id: categoryId, level })
    .onConflict((oc) => oc.columns(['user_id', 'category_id']).doUpdateSet({ level }))
    .execute();
}

export async function watchLevel(db: Db, userId: number, on: { threadId: number } | { categoryId: number }) {
  const row =
    'threadId' in on
      ? await db.selectFrom('thread_watches').select('level').where('user_id', '=', userId).where('thread_id', '=', on.threadId).executeTakeFirst()
      : await db.selectFrom('category_watches').select('level').where('user_id', '=', userId).where('category_id', '=', on.categoryId).executeTakeFirst();
  return row?.level ?? 'normal';
}

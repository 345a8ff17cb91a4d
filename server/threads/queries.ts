import type { Db } from '../db/index.ts';
import type { ExpressionBuilder, Insertable } from 'kysely';
import type { CategoriesTable, Database, PendingReason, ThreadKind } from '../db/schema.ts';
import { notifyForPost } from '../notifications/queries.ts';
import { createPoll } from '../polls/queries.ts';
import type { PollInput } from '../polls/types.ts';
import { cookPost } from '../text/mentions.ts';
import type { Viewer } from '../permissions.ts';
import { categoryAccessColumns } from '../access/categories.ts';
import { visibleThreads, listedThread } from '../access/threads.ts';
import { markThreadRead } from './read-state.ts';
import { readablePost } from '../access/posts.ts';
import { tagNames, tagThread } from './tags.ts';
import { questionColumns, questionsThat, ranksOnPage, type QuestionFilter } from './questions.ts';
import { PAGE_SIZE, slugify } from '../addresses.ts';

/**
 * A pin counts until its end date (if it has one), by the app's clock (app.now()), so that a
 * pin's end is the moment the rest of the app agrees on.
 */
export const pinnedNow = (eb: ExpressionBuilder<Database & { t: Database['threads'] }, 't'>, now: Date) =>
  eb.and([eb('t.pinned_scope', 'is not', null), eb.or([eb('t.pinned_until', 'is', null), eb('t.pinned_until', '>', now)])]);

const postColumns = [
  'p.id', 'p.user_id', 'p.post_number', 'p.cooked', 'p.like_count', 'p.edit_count', 'p.created_at', 'p.updated_at', 'p.deleted_at',
  'p.score', 'u.username', 'u.rank', 'u.role',
  // The author's display name and avatar come with their name: no query per post for either
  // (a change of them announces author:<id>, migrations/0039).
  'u.display_name', 'u.avatar',
] as const;

/** For lists: the viewer's read state joins in (a guest is viewer 0, who has read nothing). */
const readJoin = (viewerId: number | undefined) => (join: any) =>
  join.onRef('tr.thread_id', '=', 't.id').on('tr.user_id', '=', viewerId ?? 0);

/**
 * The community's latest threads. `pins: 'only'` gives the global pins in staff's order (shown
 * above the list, on the home page and every category's), `pins: 'without'` the rest, so that
 * a pinned thread appears once.
 */
export function latestThreads(
  db: Db, limit: number, viewer: Viewer | null, pins: 'only' | 'without' = 'without', filter?: QuestionFilter, now = new Date(),
) {
  const viewerId = viewer?.id;
  return visibleThreads(db, viewer)
    .$if(filter !== undefined, (q) => q.where(questionsThat(filter!)))
    .where((eb) => {
      const globalPin = eb.and([eb('t.pinned_scope', '=', 'global'), pinnedNow(eb, now)]);
      return pins === 'only' ? globalPin : eb.not(globalPin);
    })
    .innerJoin('categories as c', 'c.id', 't.category_id')
    // An archived category's threads are kept at their addresses and on its page, not in the latest.
    .where('c.archived_at', 'is', null)
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('thread_reads as tr', readJoin(viewerId))
    .select([
      't.id', 't.title', 't.slug', 't.kind', 't.reply_count', 't.view_count', 't.last_post_at', 't.created_at',
      't.last_post_number', 'tr.last_read_post_number', 't.pinned_scope', 't.locked_at',
      'c.name as category_name', 'c.slug as category_slug', 'c.color as category_color', 'u.username',
      // The author's avatar, with their name (the list is kept under author:<id>, server/home/routes.ts).
      't.user_id', 'u.display_name', 'u.avatar',
    ])
    .select(questionColumns)
    .select(tagNames('t.id'))
    .$if(pins === 'only', (q) => q.orderBy('t.pin_position', (o) => o.asc().nullsLast()))
    .orderBy('t.last_post_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .execute();
}

export async function createCategory(
  db: Db,
  c: Insertable<CategoriesTable>,
) {
  return db.insertInto('categories').values(c).returning(['id', 'slug']).executeTakeFirstOrThrow();
}

/** In the caller's transaction when given one (a new post's checks share the write's), else in a new one. */
const inTransaction = <T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> => (db.isTransaction ? work(db) : db.transaction().execute(work));

/** A thread and its first post, with the category's counter, in one transaction. */
export async function createThread(
  db: Db,
  t: {
    categoryId: number;
    userId: number;
    title: string;
    body: string;
    kind?: ThreadKind;
    tags?: string[];
    poll?: PollInput | null;
    at?: Date;
    /** Held for approval: no counter moves and no one is notified until it is approved. */
    hold?: PendingReason | null;
    /** More work in the same transaction, once the first post is written (a queue item). */
    onWritten?: (tx: Db, postId: number) => Promise<void>;
    /** An announcement's choice: false, only staff reply (replyRefusal). */
    membersMayReply?: boolean;
  },
) {
  const at = t.at ?? new Date();
  const held = t.hold ?? null;
  return inTransaction(db, async (tx) => {
    const thread = await tx
      .insertInto('threads')
      .values({
        category_id: t.categoryId,
        user_id: t.userId,
        title: t.title,
        slug: slugify(t.title),
        kind: t.kind,
        last_post_at: at,
        last_post_user_id: t.userId,
        created_at: at,
        pending_at: held ? at : null,
        members_may_reply: t.membersMayReply ?? true,
      })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    const { cooked, mentioned } = await cookPost(tx, t.body);
    const post = await tx
      .insertInto('posts')
      .values({
        thread_id: thread.id, user_id: t.userId, post_number: 1, raw: t.body, cooked, created_at: at,
        pending_at: held ? at : null, pending_reason: held,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (!held) {
      await notifyForPost(tx, {
        postId: post.id,
        threadId: thread.id,
        categoryId: t.categoryId,
        authorId: t.userId,
        mentionedIds: mentioned.map((m) => m.id),
      });
    }
    await markThreadRead(tx, t.userId, thread.id, 1);
    await tagThread(tx, thread.id, t.tags ?? []);
    if (t.poll) await createPoll(tx, thread.id, t.poll);
    await t.onWritten?.(tx, post.id);
    if (!held) {
      await tx
        .updateTable('categories')
        .set((eb) => ({ thread_count: eb('thread_count', '+', 1) }))
        .where('id', '=', t.categoryId)
        .execute();
    }
    return { ...thread, postId: post.id, held };
  });
}

/**
 * A reply: the next post number is taken under the thread's row lock, so two never clash;
 * it comes from last_post_number, which never goes down, so a deleted reply's number is never reused.
 */
export async function createReply(
  db: Db,
  r: {
    threadId: number; userId: number; body: string; at?: Date; hold?: PendingReason | null; onWritten?: (tx: Db, postId: number) => Promise<void>;
    /** Written by brand staff (speaksForBrand): the thread keeps when staff first replied, for "staff response time". */
    byStaff?: boolean;
  },
) {
  const at = r.at ?? new Date();
  const held = r.hold ?? null;
  return inTransaction(db, async (tx) => {
    // A held reply takes its number now but enters the counts and the activity when approved.
    const thread = await tx
      .updateTable('threads')
      .set((eb) =>
        held
          ? { last_post_number: eb('last_post_number', '+', 1) }
          : {
              reply_count: eb('reply_count', '+', 1),
              last_post_number: eb('last_post_number', '+', 1),
              last_post_at: at,
              last_post_user_id: r.userId,
              // In the same statement: a staff reply costs nothing more than another.
              ...(r.byStaff ? { first_staff_reply_at: eb.fn.coalesce('first_staff_reply_at', eb.val(at)) } : {}),
            },
      )
      .where('id', '=', r.threadId)
      .returning(['last_post_number', 'category_id', 'user_id'])
      .executeTakeFirstOrThrow();
    const { cooked, mentioned } = await cookPost(tx, r.body);
    const post = await tx
      .insertInto('posts')
      .values({
        thread_id: r.threadId, user_id: r.userId, post_number: thread.last_post_number, raw: r.body, cooked, created_at: at,
        pending_at: held ? at : null, pending_reason: held,
      })
      .returning(['id', 'post_number'])
      .executeTakeFirstOrThrow();
    if (!held) {
      await notifyForPost(tx, {
        postId: post.id,
        threadId: r.threadId,
        categoryId: thread.category_id,
        authorId: r.userId,
        threadAuthorId: thread.user_id,
        mentionedIds: mentioned.map((m) => m.id),
      });
    }
    // Whoever replies has read the thread up to their own post.
    await markThreadRead(tx, r.userId, r.threadId, post.post_number);
    await r.onWritten?.(tx, post.id);
    return { ...post, held };
  });
}

export function categoryBySlug(db: Db, slug: string) {
  return db
    .selectFrom('categories')
    .select(['id', 'id as category_id', 'name', 'slug', 'description', 'color', 'thread_count', 'read_role', 'read_rank', 'post_role', 'post_rank', 'archived_at'])
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/**
 * A category's threads by last activity, paged by keyset on (last_post_at, id). `pins: 'only'`
 * gives the threads pinned in this category, in staff's order, shown above the first page
 * after the global pins (latestThreads); the pages themselves leave out every thread pinned
 * now, globally or here.
 */
export function categoryThreads(
  db: Db,
  categoryId: number,
  limit: number,
  before?: { at: Date; id: number },
  viewerId?: number,
  pins: 'only' | 'without' = 'without',
  filter?: QuestionFilter,
  now = new Date(),
) {
  let q = db
    .selectFrom('threads as t')
    .$if(filter !== undefined, (q) => q.where(questionsThat(filter!)))
    .where((eb) => (pins === 'only' ? eb.and([pinnedNow(eb, now), eb('t.pinned_scope', '=', 'category')]) : eb.not(pinnedNow(eb, now))))
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('thread_reads as tr', readJoin(viewerId))
    .select([
      't.id', 't.title', 't.slug', 't.kind', 't.reply_count', 't.view_count', 't.last_post_at', 't.created_at',
      't.last_post_number', 'tr.last_read_post_number', 't.pinned_scope', 't.locked_at', 'u.username',
      't.user_id', 'u.display_name', 'u.avatar',
    ])
    .select(questionColumns)
    .select(tagNames('t.id'))
    .where('t.category_id', '=', categoryId)
    // Hidden, held and unlisted threads are never listed, whoever asks (server/access/threads.ts).
    .where(listedThread);
  if (before) {
    q = q.where((eb) =>
      eb.or([eb('t.last_post_at', '<', before.at), eb.and([eb('t.last_post_at', '=', before.at), eb('t.id', '<', before.id)])]),
    );
  }
  if (pins === 'only') q = q.orderBy('t.pin_position', (o) => o.asc().nullsLast());
  return q.orderBy('t.last_post_at', 'desc').orderBy('t.id', 'desc').limit(limit).execute();
}

/**
 * What a thread closed as a duplicate shows of the thread it duplicates: its address always, its
 * title only while anyone may read it (public, in a category open to all), since the page that
 * shows it is the same for every reader (guests' and members' kept pages) — anyone else follows
 * the link and is told there whether they may open it.
 */
const duplicateColumns = (eb: ExpressionBuilder<any, any>) => [
  eb.ref('t.duplicate_of').as('duplicate_of'),
  eb.ref('dt.slug').as('duplicate_slug'),
  eb
    .case()
    .when(
      eb.and([
        eb('dt.deleted_at', 'is', null), eb('dt.hidden_at', 'is', null), eb('dt.pending_at', 'is', null),
        eb('dc.read_role', 'is', null), eb('dc.read_rank', '=', 0),
      ]),
    )
    .then(eb.ref('dt.title'))
    .else(null)
    .end()
    .as('duplicate_title'),
];

/**
 * A thread (with how far the viewer has read it); a deleted one only for those who may see deleted
 * content, or (`withMerged`) when it was merged into another, for its address to lead there.
 */
export function threadById(db: Db, id: number, opts: { withDeleted?: boolean; withMerged?: boolean; viewerId?: number } = {}) {
  return db
    .selectFrom('threads as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('thread_reads as tr', readJoin(opts.viewerId))
    // What the page also needs about the viewer and the thread, in the same query.
    .leftJoin('thread_watches as tw', (join) => join.onRef('tw.thread_id', '=', 't.id').on('tw.user_id', '=', opts.viewerId ?? 0))
    .leftJoin('polls as pl', 'pl.thread_id', 't.id')
    // The thread a duplicate points at, in the same query: its page links there.
    .leftJoin('threads as dt', 'dt.id', 't.duplicate_of')
    .leftJoin('categories as dc', 'dc.id', 'dt.category_id')
    .select(duplicateColumns)
    .select([
      't.id', 't.title', 't.slug', 't.kind', 't.reply_count', 't.last_post_number', 't.created_at', 't.deleted_at',
      't.pinned_scope', 't.pinned_until', 't.locked_at', 'tr.last_read_post_number', 'tw.level as watch_level', 'pl.id as poll_id',
      't.user_id', 't.category_id', 't.hidden_at', 't.pending_at', 't.unlisted_at', 't.closes_at', 't.slow_mode_seconds', 't.merged_into',
      't.accepted_post_id', 't.official_post_id', 't.members_may_reply', 'c.name as category_name', 'c.slug as category_slug', 'c.color as category_color',
      ...categoryAccessColumns,
    ])
    .select(tagNames('t.id'))
    .where('t.id', '=', id)
    .$if(!opts.withDeleted, (q) =>
      q.where((eb) => (opts.withMerged ? eb.or([eb('t.deleted_at', 'is', null), eb('t.merged_into', 'is not', null)]) : eb('t.deleted_at', 'is', null))),
    )
    .executeTakeFirst();
}

/**
 * One page of a thread's posts, in one query whatever the thread's length: a discussion's by post
 * number, a question's by rank (rankedPosts: the question, its accepted answer, then by score).
 * With whether the viewer liked and bookmarked each (a guest is viewer 0, who did neither) and, in a question,
 * how they voted on each (`my_vote`; only a question's page joins the votes).
 */
export function threadPosts(
  db: Db, thread: { id: number; kind: string }, page: number, opts: { withDeleted?: boolean; viewer?: Viewer | null } = {},
) {
  const viewerId = opts.viewer?.id ?? 0;
  const question = thread.kind === 'question';
  // A discussion's page holds the posts numbered above `from`, up to PAGE_SIZE more.
  const from = (page - 1) * PAGE_SIZE;
  return db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('post_likes as pk', (join) => join.onRef('pk.post_id', '=', 'p.id').on('pk.user_id', '=', viewerId))
    .leftJoin('bookmarks as bm', (join) => join.onRef('bm.post_id', '=', 'p.id').on('bm.user_id', '=', viewerId))
    .select(postColumns)
    .select(['pk.user_id as liked_by', 'bm.user_id as bookmarked_by', 'p.hidden_at', 'p.hidden_reason', 'p.pending_at', 'p.pending_reason', 'p.flag_score'])
    .where('p.thread_id', '=', thread.id)
    // Moderators see everything (deleted too); others public posts and their own held ones.
    .$if(!opts.withDeleted, (q) => q.where(readablePost(opts.viewer ?? null)))
    .$if(question, (q) =>
      q
        .innerJoin(ranksOnPage(db, thread.id, page).as('r'), 'r.id', 'p.id')
        .leftJoin('post_votes as pv', (join) => join.onRef('pv.post_id', '=', 'p.id').on('pv.user_id', '=', viewerId))
        .select('pv.value as my_vote')
        .orderBy('r.rank'),
    )
    .$if(!question, (q) => q.where('p.post_number', '>', from).where('p.post_number', '<=', from + PAGE_SIZE).orderBy('p.post_number'))
    .execute();
}

export function postById(db: Db, id: number) {
  return db
    .selectFrom('posts as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select([...postColumns, 'p.thread_id', 'p.raw', 'p.hidden_at', 'p.hidden_reason', 'p.pending_at', 'p.pending_reason', 'p.flag_score'])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

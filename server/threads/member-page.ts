// The thread page as plain members see it, from one rendering shared by all of them.
//
// A member's page differs from another's in a few places only: their name and unread count in
// the navigation, their token, which posts they liked, the links on their own posts, where
// their unread posts start, and their watch level. The page is rendered once per address with
// those parts left as slots (server/views/member-parts.ts) and kept like a guest's page, until a
// write announces a change to the thread; each request reads the member's own facts in one
// query and fills the slots. Anyone else — staff, who see more; a member with a post of their
// own awaiting approval or hidden on that page; a page with a poll (votes are the member's) —
// gets the page rendered for them alone.
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { viewerFlags, type Viewer } from '../permissions.ts';
import { FLASH_COOKIE } from '../views/index.ts';
import { PARTS, PartCollector, type SharedPage } from '../views/member-parts.ts';
import { TOKEN_SLOT, type PageCache } from '../views/page-cache.ts';
import { assertCanRead } from './access.ts';
import { threadById } from './queries.ts';
import { PAGE_SIZE, pageOf } from './rules.ts';

type Thread = NonNullable<Awaited<ReturnType<typeof threadById>>>;

interface Kept {
  page: SharedPage;
  thread: Thread;
  /** The posts shown, in order: where the unread marker may go. */
  posts: { id: number; post_number: number }[];
}

/** Whom a shared page is rendered for: a member who wrote none of its posts and liked none. */
const anyMember: Viewer = { id: 0, username: '', role: 'member', rank: 0 };

/** Whether this request may be answered from the shared page at all. */
export function sharesMemberPage(req: FastifyRequest): boolean {
  const { quote } = req.query as { quote?: number };
  return (
    req.viewer?.role === 'member' &&
    req.method === 'GET' &&
    req.headers['hx-request'] === undefined &&
    quote === undefined &&
    req.cookies[FLASH_COOKIE] === undefined
  );
}

interface Facts {
  lastRead: number | null;
  watch: string;
  liked: ReadonlySet<number>;
  ownHeld: boolean;
}

/**
 * What one member's page needs of their own: read position, watch level, likes, held posts.
 * Kept until the member or the thread changes (migrations/0024 announces the member's reads,
 * watches and likes).
 */
async function memberFacts(db: Db, pageCache: PageCache, userId: number, threadId: number, page: number, postIds: number[]): Promise<Facts> {
  const key = `facts:${userId}:${threadId}:${page}`;
  const kept = pageCache.find<Facts>(key);
  if (kept) return kept;
  const snapshot = pageCache.snapshot([`reads:${userId}`, `thread:${threadId}`]);
  const facts = await readFacts(db, userId, threadId, page, postIds);
  pageCache.keep(key, facts, snapshot);
  return facts;
}

async function readFacts(db: Db, userId: number, threadId: number, page: number, postIds: number[]): Promise<Facts> {
  const from = (page - 1) * PAGE_SIZE + 1;
  const { rows } = await sql<{ last_read: number | null; watch: string | null; liked: string[]; own_held: boolean }>`
    select
      (select last_read_post_number from thread_reads where user_id = ${userId} and thread_id = ${threadId}) as last_read,
      (select level from thread_watches where user_id = ${userId} and thread_id = ${threadId}) as watch,
      array(select post_id from post_likes where user_id = ${userId} and post_id = any(${postIds}::bigint[])) as liked,
      exists(select 1 from posts where thread_id = ${threadId} and user_id = ${userId}
        and post_number >= ${from} and post_number < ${from + PAGE_SIZE}
        and deleted_at is null and (hidden_at is not null or pending_at is not null)) as own_held`.execute(db);
  const row = rows[0];
  return { lastRead: row.last_read, watch: row.watch ?? 'normal', liked: new Set(row.liked.map(Number)), ownHeld: row.own_held };
}

/**
 * Renders and keeps the shared page, or keeps and answers 'alone' when this thread's page cannot
 * be shared (not public, merged, closing at a set time, a poll on it, an old slug, no such
 * page): the next request for it goes straight to the page rendered alone, without reading the
 * thread twice.
 */
async function keepPage(
  db: Db,
  pageCache: PageCache,
  reply: FastifyReply,
  at: { key: string; id: number; slug?: string; page: number; now: Date },
  threadPage: (thread: Thread, page: number, viewer: Viewer) => Promise<Record<string, unknown> & { posts: { id: number; post_number: number }[] }>,
): Promise<Kept | 'alone'> {
  const snapshot = pageCache.snapshot([`thread:${at.id}`]);
  const thread = await threadById(db, at.id);
  const shareable =
    thread &&
    !thread.merged_into && !thread.hidden_at && !thread.pending_at && thread.slug === at.slug &&
    // A page with a poll shows the member's vote; a closing time changes the page without a write.
    !(at.page === 1 && thread.poll_id !== null) && !(thread.closes_at !== null && thread.closes_at > at.now) &&
    !(at.page > 1 && at.page > pageOf(thread.last_post_number));
  if (!shareable) {
    pageCache.keep(at.key, 'alone', snapshot);
    return 'alone';
  }
  const data = await threadPage(thread, at.page, anyMember);
  const parts = new PartCollector();
  const html = await reply.render('threads/thread', {
    ...data,
    values: { body: '' },
    errors: {},
    viewer: anyMember,
    ...viewerFlags(anyMember),
    csrfToken: TOKEN_SLOT,
    [PARTS]: parts,
  });
  const kept: Kept = { page: parts.finish(html), thread, posts: data.posts.map((p) => ({ id: p.id, post_number: p.post_number })) };
  pageCache.keep(at.key, kept, snapshot);
  return kept;
}

/**
 * Answers a plain member's thread page from the shared rendering (true), or leaves the request
 * to be rendered for them alone (false). Marks the page read and counts the view, as the page
 * rendered alone does. (A boolean, not the reply: a reply is thenable, and awaiting it waits
 * for the answer to be sent.)
 */
export async function memberThreadPage(
  req: FastifyRequest,
  reply: FastifyReply,
  env: {
    db: Db;
    pageCache: PageCache;
    now: Date;
    countView: (threadId: number) => void;
    markRead: (userId: number, threadId: number, upTo: number) => Promise<void>;
    threadPage: Parameters<typeof keepPage>[4];
  },
): Promise<boolean> {
  const viewer = req.viewer!;
  const { id, slug } = req.params as { id: number; slug?: string };
  const { page: asked } = req.query as { page?: number };
  const page = asked ?? 1;
  const key = `member:${req.url}`;
  const kept = env.pageCache.find<Kept | 'alone'>(key) ?? (await keepPage(env.db, env.pageCache, reply, { key, id, slug, page, now: env.now }, env.threadPage));
  if (kept === 'alone') return false;
  assertCanRead(viewer, kept.thread);
  const facts = await memberFacts(env.db, env.pageCache, viewer.id, id, page, kept.posts.map((p) => p.id));
  // Their own held or hidden post belongs on the page: rendered for them alone.
  if (facts.ownHeld) return false;
  // Coming back to a thread opens it at the first unread post: the page rendered alone says where.
  if (asked === undefined && facts.lastRead !== null && facts.lastRead < kept.thread.last_post_number) return false;
  const lastShown = kept.posts.at(-1)?.post_number ?? 0;
  if (lastShown > (facts.lastRead ?? 0)) {
    await env.markRead(viewer.id, id, lastShown);
    env.pageCache.forget(`facts:${viewer.id}:${id}:${page}`);
  }
  env.countView(id);
  const firstUnread = facts.lastRead === null ? undefined : kept.posts.find((p) => p.post_number > facts.lastRead!)?.id;
  const token = reply.csrfToken();
  const html = kept.page.fill({ viewer, token, liked: facts.liked, firstUnread, watch: facts.watch });
  reply.type('text/html; charset=utf-8').send(html);
  return true;
}

// The thread page as plain members see it, from one rendering shared by all of them.
//
// A member's page differs from another's in a few places only: their name and unread count in
// the navigation, their token, which posts they liked and bookmarked, their draft in the reply
// box, the links on their own posts, where their unread posts start, their watch level, in a
// question their votes and (for the asker) the accept buttons, and the thread edits their rank
// opens (rename, tags, move, close as a duplicate). The page is rendered once per thread and
// page number with those parts left as slots (server/views/member-parts.ts) and kept, with the
// thread it shows, until a write announces a change to the thread (server/cache/member-pages.ts);
// each request reads the member's own facts in one query (kept too) and fills the slots.
//
// The thread route (showThread in server/threads/routes.ts) decides everything else, once, for
// every reader: whether the thread is there for them, its redirects, its pages, read marks and
// views. It comes here for what differs between members, and renders alone for anyone else —
// staff, who see more; a member with a post of their own awaiting approval or hidden on that
// page (in a question, anywhere in it); a thread hidden or held, or a page with a poll (its
// votes and results are drawn for the member).
import Handlebars from 'handlebars';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_SLOT } from '../cache/guest-pages.ts';
import type { Snapshot } from '../cache/kept.ts';
import type { MemberPages } from '../cache/member-pages.ts';
import { withheldPost } from '../access/posts.ts';
import type { Db } from '../db/index.ts';
import type { WatchLevel } from '../db/schema.ts';
import { isPublic, threadEditsFor, threadEditsKey, viewerFlags, type Viewer } from '../permissions.ts';
import { FLASH_COOKIE } from '../views/index.ts';
import { DRAFT_SLOT, PARTS, PartCollector, type EditsAs, type SharedPage, type VotesAs } from '../views/member-parts.ts';
import { firstUnreadOf, postView, votesKey, type PostRow } from './post-view.ts';
import type { threadById } from './queries.ts';
import { PAGE_SIZE } from '../addresses.ts';
import { draftKey } from '../drafts/rules.ts';

type Thread = NonNullable<Awaited<ReturnType<typeof threadById>>>;

/** One page of a thread as every plain member gets it, and the thread it was rendered from. */
export interface SharedThreadPage {
  page: SharedPage;
  /** The thread as read for no one in particular: no read position, no watch level (forAnyMember). */
  thread: Thread;
  /** The posts shown, in order: where the unread marker may go, and how far the page reads. */
  posts: { id: number; post_number: number }[];
}

/** Whom a shared page is rendered for: a member who wrote none of its posts and liked none. */
export const anyMember: Viewer = { id: 0, username: '', role: 'member', rank: 0 };

/** Whether this request may be answered from the shared page at all; `quote` fills the reply box. */
export function sharesMemberPage(req: FastifyRequest, quote: number | undefined): boolean {
  return (
    req.viewer?.role === 'member' &&
    req.method === 'GET' &&
    req.headers['hx-request'] === undefined &&
    quote === undefined &&
    req.cookies[FLASH_COOKIE] === undefined
  );
}

/**
 * Whether this page of the thread is the same for every plain member. A hidden or held thread
 * is its author's page; a page with a poll shows the member's vote; a closing time, and a pin's
 * end, change the page without a write.
 */
export function canSharePage(thread: Thread, page: number, now: Date): boolean {
  return (
    isPublic(thread) && !thread.merged_into &&
    !(page === 1 && thread.poll_id !== null) && !(thread.closes_at !== null && thread.closes_at > now) &&
    !(thread.pinned_until !== null && thread.pinned_until > now)
  );
}

/** The thread with nothing of the member who read it: what a shared page is rendered from and kept with. */
export function forAnyMember(thread: Thread): Thread {
  return { ...thread, last_read_post_number: null, watch_level: null };
}

/** What one member's page needs of their own. */
export interface OwnFacts {
  lastRead: number | null;
  watch: WatchLevel | null;
  liked: ReadonlySet<number>;
  /** Their votes on the page's posts, in a question. */
  votes: ReadonlyMap<number, -1 | 1>;
  /** The page's posts they bookmarked (server/bookmarks). */
  bookmarked: ReadonlySet<number>;
  /** Their draft of a reply to the thread (server/drafts), escaped once for the reply box. */
  draft: Buffer | null;
  /** The draft as written, for a page rendered for them alone. */
  draftText: string;
  /** A post of theirs on the page is held or hidden: it shows to them, so their page is their own. */
  ownHeld: boolean;
}

/** The thread as this member reads it: the kept thread with their read position and watch level. */
export function asReadBy(thread: Thread, facts: OwnFacts): Thread {
  return { ...thread, last_read_post_number: facts.lastRead, watch_level: facts.watch };
}

/** The shared rendering of this page, with its thread, if the thread has not changed since. */
export function keptSharedPage(pages: MemberPages, threadId: number, page: number): SharedThreadPage | undefined {
  return pages.page<SharedThreadPage>(threadId, page);
}

/**
 * Renders the page for any plain member, from the thread page's data for anyMember (threadPage
 * with forAnyMember's thread), and keeps it under the snapshot taken before the thread was read.
 */
export async function keepSharedPage(
  reply: FastifyReply,
  pages: MemberPages,
  snapshot: Snapshot,
  thread: Thread,
  data: Record<string, unknown> & { page: number; posts: { id: number; post_number: number; user_id: number }[] },
): Promise<SharedThreadPage> {
  // A question's votes as each member sees them, from the post's view for that member.
  const votesAs: VotesAs = (post, viewer, vote) => {
    const row = post as unknown as PostRow;
    return { key: votesKey(row, viewer, thread, vote), view: () => postView({ ...row, my_vote: vote === 0 ? null : vote }, viewer, thread) };
  };
  // The thread edits a member's rank opens, from the page's own flags for them (threadPage).
  const editsAs: EditsAs = (context, viewer, now) => {
    const edits = threadEditsFor(viewer, thread, now);
    return { key: threadEditsKey(edits), view: () => ({ ...context, ...edits }) };
  };
  // Each post's own links, as its author, a member who liked it, and anyone else sees them.
  const parts = new PartCollector(
    (post, as) =>
      postView(
        { ...(post as unknown as PostRow), liked_by: as === 'liked' ? anyMember.id : null },
        { ...anyMember, id: as === 'own' ? (post as unknown as PostRow).user_id : anyMember.id },
        thread,
      ),
    votesAs,
    editsAs,
  );
  const html = await reply.render('threads/thread', {
    ...data,
    // The reply box holds each member's own draft (DRAFT_SLOT, filled per request).
    values: { body: DRAFT_SLOT },
    errors: {},
    viewer: anyMember,
    ...viewerFlags(anyMember),
    csrfToken: TOKEN_SLOT,
    [PARTS]: parts,
  });
  const kept: SharedThreadPage = { page: parts.finish(html), thread, posts: data.posts.map((p) => ({ id: p.id, post_number: p.post_number })) };
  // Each post shows its author's name and rank: the page is good while none of them changes.
  pages.keepPage(thread.id, data.page, kept, withAuthors(snapshot, data.posts));
  return kept;
}

/**
 * The snapshot a thread page was read under, with the authors of its posts: a post shows its
 * author's name and rank, and a change of either announces author:<id> (migrations/0031), not
 * the thread. Added after the read, which is sound: the snapshot's mark was taken before it, so
 * a change landing meanwhile still makes the page old.
 */
export function withAuthors(snapshot: Snapshot, posts: readonly { user_id: number }[]): Snapshot {
  return { mark: snapshot.mark, scopes: [...snapshot.scopes, ...authorScopes(posts)] };
}

/** The author:<id> scope of each author on a page, once each. */
export function authorScopes(posts: readonly { user_id: number }[]): string[] {
  return [...new Set(posts.map((p) => p.user_id))].map((id) => `author:${id}`);
}

/**
 * What one member's page needs of their own: read position, watch level, likes, bookmarks, their
 * draft, votes, held posts. Kept until the member or the thread changes (migrations/0024 announces
 * the member's reads, watches and likes, migrations/0037 their bookmarks and drafts; a vote moves
 * its post's score, which announces the thread).
 */
export async function memberFacts(db: Db, pages: MemberPages, userId: number, thread: { id: number; kind: string }, page: number, posts: SharedThreadPage['posts']): Promise<OwnFacts> {
  const kept = pages.memberFacts<OwnFacts>(userId, thread.id, page);
  if (kept) return kept;
  const snapshot = pages.factsSnapshot(userId, thread.id);
  const facts = await readFacts(db, userId, thread, page, posts.map((p) => p.id));
  pages.keepMemberFacts(userId, thread.id, page, facts, snapshot);
  return facts;
}

async function readFacts(db: Db, userId: number, thread: { id: number; kind: string }, page: number, postIds: number[]): Promise<OwnFacts> {
  const threadId = thread.id;
  const question = thread.kind === 'question';
  const from = (page - 1) * PAGE_SIZE + 1;
  // A question's page holds posts by rank, not by number: a withheld post of theirs anywhere in
  // it gives the member a page of their own (a question is short, and such a post rare).
  const ownWithheld = db.selectFrom('posts as p').select(sql<number>`1`.as('one'))
    .where('p.thread_id', '=', threadId).where('p.user_id', '=', userId)
    .$if(!question, (q) => q.where('p.post_number', '>=', from).where('p.post_number', '<', from + PAGE_SIZE))
    .where(withheldPost);
  const votes = question
    ? sql`array(select post_id || ':' || value from post_votes where user_id = ${userId} and post_id = any(${postIds}::bigint[]))`
    : sql`'{}'::text[]`;
  const { rows } = await sql<{
    last_read: number | null; watch: WatchLevel | null; liked: string[]; bookmarked: string[]; draft: string | null; votes: string[]; own_held: boolean;
  }>`
    select
      (select last_read_post_number from thread_reads where user_id = ${userId} and thread_id = ${threadId}) as last_read,
      (select level from thread_watches where user_id = ${userId} and thread_id = ${threadId}) as watch,
      array(select post_id from post_likes where user_id = ${userId} and post_id = any(${postIds}::bigint[])) as liked,
      array(select post_id from bookmarks where user_id = ${userId} and post_id = any(${postIds}::bigint[])) as bookmarked,
      (select body from drafts where user_id = ${userId} and draft_key = ${draftKey('thread', threadId)}) as draft,
      ${votes} as votes,
      exists(${ownWithheld}) as own_held`.execute(db);
  const row = rows[0];
  const voted = new Map(row.votes.map((v) => {
    const [post, value] = v.split(':');
    return [Number(post), value === '1' ? 1 : -1] as const;
  }));
  const draftText = row.draft ?? '';
  return {
    lastRead: row.last_read, watch: row.watch, liked: new Set(row.liked.map(Number)), bookmarked: new Set(row.bookmarked.map(Number)),
    draft: draftText ? Buffer.from(Handlebars.escapeExpression(draftText)) : null, draftText, votes: voted, ownHeld: row.own_held,
  };
}

/** The shared page as this member sees it. */
export function fillSharedPage(reply: FastifyReply, shared: SharedThreadPage, viewer: Viewer, facts: OwnFacts, now: Date): Buffer {
  return shared.page.fill({
    viewer,
    token: reply.csrfToken(),
    liked: facts.liked,
    bookmarked: facts.bookmarked,
    draft: facts.draft,
    votes: facts.votes,
    firstUnread: firstUnreadOf(shared.posts, facts.lastRead),
    watch: facts.watch ?? 'normal',
    now,
  });
}

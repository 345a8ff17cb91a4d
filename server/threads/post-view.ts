// One post as a viewer sees it, wherever it is drawn: on the thread page (threadPage), in the
// rendering plain members share (drawn once for each kind of member, server/threads/member-page.ts),
// and alone as the htmx fragment a new reply answers with. views/partials/posts/post.hbs takes
// everything from this view and nothing from the page around it, so a post drawn alone is the
// post the page shows after a reload.
import { acceptRefusal, canOnPost, isPublic, speaksForBrand, voteRefusal, type PostFacts, type Viewer } from '../permissions.ts';
import type { Role } from '../db/schema.ts';
import { pageOf, threadUrl } from '../addresses.ts';

/** What a post's row must carry to be viewed; `liked_by` is the viewer if they liked it. */
export interface PostRow extends PostFacts {
  id: number;
  post_number: number;
  liked_by?: number | null;
  /** The viewer if they bookmarked it (server/bookmarks). */
  bookmarked_by?: number | null;
  /** The viewer's vote on it, in a question. */
  my_vote?: -1 | 1 | null;
  /** Its author's role, joined with the post (threadPosts): staff posts carry the brand's mark. */
  role?: Role;
}

/** What of its thread a post's links need. */
export interface PostThread {
  id: number;
  slug: string;
  last_post_number: number;
  deleted_at: Date | null;
  kind: string;
  user_id: number;
  accepted_post_id: number | null;
  /** The staff reply chosen as the official response (server/threads/staff/official.ts). */
  official_post_id?: number | null;
}

/**
 * Where quoting a post of this thread leads: the last page, where the reply form is, with the
 * quote in it. None for a guest, who cannot reply, nor in a deleted thread.
 */
function quoteBase(thread: PostThread, viewer: Viewer | null): string | null {
  if (!viewer || thread.deleted_at !== null) return null;
  return `${threadUrl(thread)}?page=${pageOf(thread.last_post_number)}&quote=`;
}

/**
 * The post as `viewer` sees it in `thread`: what they may do to it (the permissions module
 * decides), whether they liked it, where quoting it leads, and whether the unread marker goes
 * before it (`firstUnread`, the id of the first post they have not read). `brand` is the label
 * brand staff's posts carry (the setting brand_label), from the author's role on the post's row.
 */
export function postView<P extends PostRow>(post: P, viewer: Viewer | null, thread: PostThread, firstUnread?: number, brand = 'Staff') {
  const base = quoteBase(thread, viewer);
  // Only a public post is quoted: a reply is public, and would carry a hidden or held post's words out.
  const quotable = base !== null && isPublic(post);
  const byStaff = speaksForBrand(post.role);
  const official = thread.official_post_id != null && thread.official_post_id === post.id;
  return {
    ...post,
    staffMark: byStaff ? brand : null,
    official,
    // Staff choose among staff replies; the same button takes the mark back (server/threads/staff/routes.ts).
    canMarkOfficial: byStaff && speaksForBrand(viewer?.role) && post.post_number > 1 && isPublic(post) && thread.deleted_at === null,
    officialAction: `/t/${thread.id}/official`,
    isFirstUnread: firstUnread !== undefined && post.id === firstUnread,
    liked: post.liked_by != null,
    // Any signed-in reader may keep a post they can see; the control is theirs alone.
    bookmarked: post.bookmarked_by != null,
    canBookmark: viewer !== null,
    canLike: canOnPost(viewer, 'like post', post),
    canEdit: canOnPost(viewer, 'edit post', post),
    canDelete: canOnPost(viewer, 'delete post', post),
    canFlag: canOnPost(viewer, 'flag post', post),
    canSeeRevisions: canOnPost(viewer, 'see revisions', post),
    ...questionView(post, viewer, thread),
    quoteUrl: quotable ? `${base}${post.id}#field-body` : null,
  };
}

/**
 * In a question: whether this post is its accepted answer, the viewer's vote, and which of
 * voting up, down and accepting the viewer may do (the permissions module decides).
 */
function questionView(post: PostRow, viewer: Viewer | null, thread: PostThread, voted: -1 | 0 | 1 = post.my_vote ?? 0) {
  if (thread.kind !== 'question') return { inQuestion: false };
  const question = { kind: thread.kind, user_id: thread.user_id, deleted_at: thread.deleted_at };
  return {
    inQuestion: true,
    isAnswer: post.post_number > 1,
    accepted: thread.accepted_post_id === post.id,
    votedUp: voted === 1,
    votedDown: voted === -1,
    canUpvote: viewer !== null && voteRefusal(viewer, post, question, 1) === null,
    canDownvote: viewer !== null && voteRefusal(viewer, post, question, -1) === null,
    canAccept: viewer !== null && post.post_number > 1 && acceptRefusal(viewer, post, question) === null,
  };
}

/**
 * What of a question's post's votes block differs from one viewer to the next (questionView),
 * for a viewer whose vote on it is `vote`: the page plain members share keeps one rendering of
 * the block for each (member-page.ts), and asks this for every post of every request, so the
 * vote comes beside the post rather than on a copy of it.
 */
export function votesKey(post: PostRow, viewer: Viewer | null, thread: PostThread, vote: -1 | 0 | 1): string {
  const q = questionView(post, viewer, thread, vote);
  return q.inQuestion ? [q.votedUp, q.votedDown, q.canUpvote, q.canDownvote, q.canAccept].map((shown) => (shown ? 1 : 0)).join('') : '';
}

/** The post the unread marker goes before: the first shown past how far the member has read. */
export function firstUnreadOf(posts: readonly { id: number; post_number: number }[], lastRead: number | null): number | undefined {
  return lastRead === null ? undefined : posts.find((p) => p.post_number > lastRead)?.id;
}

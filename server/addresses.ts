// Where things are read: the addresses of threads and posts, and the pages of a thread. Pure, and
// below every feature, so that whatever links to a thread or a post (notifications, feeds, the
// queue, moderators' actions) need not import the threads feature for it.

/** A readable URL part from a title: "Hello, World!" → "hello-world". */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'thread';
}

export function threadUrl(thread: { id: number; slug: string }): string {
  return `/t/${thread.id}/${thread.slug}`;
}

/** Posts shown on one page of a thread. */
export const PAGE_SIZE = 20;

/** The page of a thread that shows post number `postNumber`. */
export const pageOf = (postNumber: number) => Math.ceil(postNumber / PAGE_SIZE);

/**
 * The address of a post: its page of the thread, and its anchor. A question's posts are ordered
 * by score, which any vote changes, so its post's address is /p/:id, which finds its page when it
 * is followed (postAddress in server/threads/questions.ts, for a route that answers with one).
 */
export function postUrl(thread: { id: number; slug: string; kind: string }, post: { id: number; post_number: number }): string {
  return thread.kind === 'question' ? `/p/${post.id}` : postOnPage(thread, post.id, pageOf(post.post_number));
}

/**
 * A post on a page of its thread. The page is always named, even the first, so that opening a
 * thread at the first unread post does not take over.
 */
export function postOnPage(thread: { id: number; slug: string }, postId: number, page: number): string {
  return `${threadUrl(thread)}?page=${page}#post-${postId}`;
}

// Likes: one per member per post, never on one's own post; the count on the post row moves in
// the same transaction as the like itself, so concurrent likes neither lose nor double it.
import type { Db } from '../db/index.ts';
import { notFound } from '../errors.ts';
import { postActionRefusal, type Viewer } from '../permissions.ts';

export async function toggleLike(db: Db, postId: number, viewer: Viewer) {
  const userId = viewer.id;
  return db.transaction().execute(async (tx) => {
    // The post's row lock orders concurrent toggles on the same post.
    const post = await tx
      .selectFrom('posts')
      .select(['id', 'user_id', 'hidden_at', 'pending_at'])
      .where('id', '=', postId)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!post) throw notFound('That post');
    // Asked under the row lock: a post hidden a moment ago takes no like.
    const refused = postActionRefusal(viewer, 'like post', { ...post, deleted_at: null });
    if (refused) throw refused;
    const removed = await tx
      .deleteFrom('post_likes')
      .where('post_id', '=', postId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const liked = Number(removed.numDeletedRows) === 0;
    if (liked) await tx.insertInto('post_likes').values({ post_id: postId, user_id: userId }).execute();
    const row = await tx
      .updateTable('posts')
      .set((eb) => ({ like_count: eb('like_count', '+', liked ? 1 : -1) }))
      .where('id', '=', postId)
      .returning(['id', 'like_count'])
      .executeTakeFirstOrThrow();
    return { id: row.id, likeCount: row.like_count, liked };
  });
}

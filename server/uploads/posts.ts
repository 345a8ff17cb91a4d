// Uploads belong to the posts that name them: what writing and editing a post call, in the
// post's own transaction, so that a refused post links nothing and a written one is never
// without its files.
import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { hasRole, type Viewer } from '../permissions.ts';
import type { PostingRules } from '../moderation/posting/posting-rules.ts';
import { linkUploads } from './queries.ts';
import { forRank, perPostRefusal, referencedKeys } from './rules.ts';

/**
 * How many of their own uploads one post of this writer may hold (uploads_per_post by rank;
 * staff as the top rank). Read before the post's transaction, from the process's copy of the
 * settings (see writeNewPost on why not inside it).
 */
export async function uploadsAllowedPerPost(rules: PostingRules, writer: Viewer): Promise<number> {
  const { settings } = await rules.get();
  return forRank(settings.uploads_per_post, hasRole(writer, 'moderator') ? 4 : writer.rank);
}

/**
 * Links the post to the writer's uploads its markdown names; refuses (422, beside the body) a
 * post holding more than `allowed` of them, which rolls the post's transaction back.
 */
export async function attachUploads(tx: Db, postId: number, writer: Viewer, markdown: string, allowed: number): Promise<void> {
  const keys = referencedKeys(markdown);
  if (!keys.length) return;
  const count = await linkUploads(tx, postId, writer.id, keys);
  const refused = perPostRefusal(count, allowed);
  if (refused) throw new HttpError(422, refused, { body: refused });
}

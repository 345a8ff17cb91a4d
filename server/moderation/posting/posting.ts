// The checks a new post passes before it is written, and what happens to it after: refused
// (an HttpError, the member's text kept by the form), written but held for approval, written
// and queued for a look, or written as it is. Standing (sanctions, slow mode, closed threads)
// is checked first, then spam defences and watched words.
import type { Db } from '../../db/index.ts';
import { openPostItem } from '../items.ts';
import { lockMemberLimit } from './member-lock.ts';
import { readPostingRules, type PostingRules } from './posting-rules.ts';
import { checkSpam } from './spam.ts';
import { checkStanding } from './standing.ts';
import type { NewPost, PostDecision } from './types.ts';

/**
 * Refuses the post (throws an HttpError) or decides how it is written. The limits count the
 * member's posts already written: run it through writeNewPost, so that posts sent at once are
 * decided one after the other.
 */
export async function decideNewPost(db: Db, post: NewPost): Promise<PostDecision> {
  await checkStanding(db, post);
  return checkSpam(db, post);
}

/**
 * Decides a new post and writes it (`write`, given the decision and the post's time) in one
 * transaction holding the member's posting lock: a second post of theirs sent at the same moment
 * is checked once this one is written, against it. A refused post writes nothing.
 */
export async function writeNewPost<T>(
  db: Db,
  post: Omit<NewPost, 'now' | 'rules'> & { rules?: PostingRules },
  clock: () => Date,
  write: (tx: Db, decision: PostDecision, now: Date) => Promise<T>,
): Promise<{ decision: PostDecision; written: T }> {
  // The rules are read before the transaction, from the process's copy or the pool. Read inside
  // it, a post would hold one connection while waiting for another, and as many posts at once as
  // the pool has connections would wait for each other for ever (the bench's 32 replies at once
  // hung the process this way).
  const rules = await (post.rules ? post.rules.get() : readPostingRules(db));
  return db.transaction().execute(async (tx) => {
    await lockMemberLimit(tx, 'posting', post.viewer.id);
    // The time is read once the lock is held, so the member's posts are written in the order of
    // their times: one that waited is never dated before the post it waited for (the limits do
    // not count posts from their future).
    const now = clock();
    const decision = await decideNewPost(tx, { ...post, rules, now });
    return { decision, written: await write(tx, decision, now) };
  });
}

/** After the post is written: a held or caught post opens its queue item. */
export async function afterNewPost(db: Db, postId: number, decision: PostDecision, at: Date) {
  if (decision.hold) {
    const kind = decision.hold === 'newcomer' ? 'approval' : decision.hold;
    await openPostItem(db, { kind, postId, detail: decision.queue?.detail ?? '', at });
  } else if (decision.queue) {
    await openPostItem(db, { kind: decision.queue.kind, postId, detail: decision.queue.detail, at });
  }
}

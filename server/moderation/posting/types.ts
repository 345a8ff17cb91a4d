// What a new post is and what the checks decide about it: shared by the steps of posting
// (./posting.ts), standing (./standing.ts) and the spam checks (./spam.ts), which import these
// rather than one another.
import type { PendingReason, QueueKind } from '../../db/schema.ts';
import type { Viewer } from '../../permissions.ts';
import type { PostingRuleSet } from './posting-rules.ts';

export interface NewPost {
  viewer: Viewer;
  body: string;
  /** A new thread's title (screened for watched words like the body). */
  title?: string;
  /** A reply goes into a thread; a new thread into a category. */
  thread?: { id: number; deleted_at: Date | null; locked_at: Date | null; closes_at: Date | null; slow_mode_seconds: number; category_id: number };
  categoryId: number;
  now: Date;
  /** The settings and watched words the post is checked against, read before its transaction. */
  rules: PostingRuleSet;
}

export interface PostDecision {
  /** The body to write (a censored word is starred out). */
  body: string;
  /** A new thread's title to write, censored likewise. */
  title?: string;
  /** Held for approval, and why. */
  hold: PendingReason | null;
  /** Written, and queued for a moderator's look (a watched word of action `flag`). */
  queue: { kind: Exclude<QueueKind, 'appeal'>; detail: string } | null;
}

// Whether the member may post here and now: sanctions in force (silence, suspension, ban),
// closed or locked threads, slow mode; and whether a silence keeps them from editing. Every time is compared with the post's `now` (app.now()),
// so a sanction or a closing time takes effect and ends without anything having to run.
import type { Db } from '../db/index.ts';
import { HttpError, tooSoon } from '../errors.ts';
import { can, type Viewer } from '../permissions.ts';
import type { NewPost } from './posting.ts';
import { formatMoment } from './sanction-rules.ts';
import { silenceInForce } from './sanctions.ts';
import { lastPostIn } from './threads.ts';
import { slowModeWait, waitText } from './thread-rules.ts';

/**
 * Throws a 403 while a silence of the member is in force. A silence is "may read, not post", and
 * an edit is posting too: the reply, new-thread and edit paths all refuse with these words.
 */
export async function assertNotSilenced(db: Db, viewer: Viewer, now: Date): Promise<void> {
  // The mirror on the member's row says whether to look; the sanction says why and until when.
  if (!viewer.silencedUntil || viewer.silencedUntil <= now) return;
  const silence = await silenceInForce(db, viewer.id, now);
  if (silence) {
    throw new HttpError(
      403,
      `You are silenced until ${formatMoment(silence.ends_at!)}: you may read, but not post. Reason: ${silence.reason}`,
    );
  }
}

/** Throws an HttpError (403/409/429) when the member may not post this now. */
export async function checkStanding(db: Db, post: NewPost): Promise<void> {
  const { viewer, thread, now } = post;
  await assertNotSilenced(db, viewer, now);
  if (!thread) return;
  // Moderators may still post in a locked thread (to say why it is locked).
  if (thread.locked_at && !can(viewer, 'lock')) throw new HttpError(409, 'This thread is locked; it takes no more replies.');
  // Moderators are not held by a thread's closing or its slow mode either.
  if (can(viewer, 'manage threads')) return;
  if (thread.closes_at && thread.closes_at <= now) throw new HttpError(409, 'This thread is closed; it takes no more replies.');
  if (thread.slow_mode_seconds > 0) {
    const last = await lastPostIn(db, thread.id, viewer.id);
    const wait = slowModeWait(last?.created_at ?? null, thread.slow_mode_seconds, now);
    if (wait > 0) {
      throw tooSoon(
        `Slow mode is on in this thread: one post every ${waitText(thread.slow_mode_seconds)}. Please wait ${waitText(wait)} before posting again.`,
        wait,
      );
    }
  }
}

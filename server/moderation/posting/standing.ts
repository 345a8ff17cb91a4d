// Whether the member may post here and now: sanctions in force (silence, suspension, ban),
// closed or locked threads, slow mode; and whether a silence keeps them from editing. Every time is compared with the post's `now` (app.now()),
// so a sanction or a closing time takes effect and ends without anything having to run.
import type { Db } from '../../db/index.ts';
import { HttpError, tooSoon } from '../../errors.ts';
import { can, type Viewer } from '../../permissions.ts';
import type { NewPost } from './types.ts';
import { formatMoment } from '../../text/moments.ts';

/** The sanction that keeps a member from posting now (the silence that lasts longest), if any. */
export function silenceInForce(db: Db, userId: number, now: Date) {
  return db
    .selectFrom('sanctions')
    .select(['id', 'kind', 'reason', 'ends_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'silence')
    .where('lifted_at', 'is', null)
    .where('ends_at', '>', now)
    .orderBy('ends_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A member's latest post in a thread (deleted ones count: deleting does not buy another post). */
export function lastPostIn(db: Db, threadId: number, userId: number) {
  return db
    .selectFrom('posts')
    .select('created_at')
    .where('thread_id', '=', threadId)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Seconds a member still waits before posting again in a slow thread (0: they may post). */
export function slowModeWait(lastPostAt: Date | null, seconds: number, now: Date): number {
  if (!lastPostAt || seconds <= 0) return 0;
  const left = seconds - (now.getTime() - lastPostAt.getTime()) / 1000;
  return left > 0 ? Math.ceil(left) : 0;
}

/** "45 seconds", "1 minute", "4 minutes", "2 hours": a wait said the way a person would. */
export function waitText(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 2 * 3600) return unit(Math.ceil(seconds / 60), 'minute');
  if (seconds < 2 * 86400) return unit(Math.ceil(seconds / 3600), 'hour');
  return unit(Math.ceil(seconds / 86400), 'day');
}

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

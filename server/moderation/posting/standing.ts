// Whether the member may post here and now, as far as the database must be read to say so: the
// silence in force and their last post in a slow thread are read here, and what they mean is
// decided by the permissions module (replyRefusal, silenceRefusal). Every time is compared with
// the post's `now` (app.now()), so a sanction or a closing time takes effect and ends without
// anything having to run.
import type { Db } from '../../db/index.ts';
import { can, maybeSilenced, replyRefusal, silenceRefusal, type ReplyTarget, type Standing, type Viewer } from '../../permissions.ts';
import type { NewPost } from './types.ts';

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

/**
 * The member's standing at `now`, reading only what can matter: the silence when their session
 * says one may be in force, their last post in `thread` when it is slow and they are held by it.
 */
export async function standingOf(db: Db, viewer: Viewer, now: Date, thread?: { id: number; slow_mode_seconds: number }): Promise<Standing> {
  const slowed = thread !== undefined && thread.slow_mode_seconds > 0 && !can(viewer, 'manage threads');
  const [silence, last] = await Promise.all([
    maybeSilenced(viewer, now) ? silenceInForce(db, viewer.id, now) : undefined,
    slowed ? lastPostIn(db, thread.id, viewer.id) : undefined,
  ]);
  return { silence: silence ?? null, lastPostAt: last?.created_at ?? null };
}

/** Throws a 403 while a silence of the member is in force (the reply, new-thread and edit paths). */
export async function assertNotSilenced(db: Db, viewer: Viewer, now: Date): Promise<void> {
  const refused = silenceRefusal(await standingOf(db, viewer, now));
  if (refused) throw refused;
}

/** Throws an HttpError (403/409/429) when the member may not post this now. */
export async function checkStanding(db: Db, post: NewPost): Promise<void> {
  const { viewer, thread, now } = post;
  const standing = await standingOf(db, viewer, now, thread);
  const refused = thread ? replyRefusal(viewer, thread satisfies ReplyTarget, now, standing) : silenceRefusal(standing);
  if (refused) throw refused;
}


// Which of a member's notifications are shown (and counted in the unread badge): every notice
// about moderation, and a reader's notification only while its post and thread are public.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';
import { publicPost } from './posts.ts';
import { publicThread } from './threads.ts';

export type ReaderKind = 'mention' | 'reply' | 'watching';

/** Notifications a member gets as a reader of posts; the other kinds are notices about moderation. */
export const readerKinds: ReaderKind[] = ['mention', 'reply', 'watching'];

type NotificationsEb = ExpressionBuilder<Database & { n: Database['notifications'] }, 'n'>;

/**
 * Notifications (as `n`) shown and counted. One about a post since hidden, held or deleted is
 * kept (it comes back if the post does) but neither shown nor counted in the unread badge
 * (server/sessions/store.ts).
 */
export const shownNotification = (eb: NotificationsEb) =>
  eb.or([
    eb('n.kind', 'not in', readerKinds),
    eb.exists(
      eb
        .selectFrom('posts as p')
        .innerJoin('threads as t', 't.id', 'p.thread_id')
        .select(sql<number>`1`.as('one'))
        .whereRef('p.id', '=', 'n.post_id')
        .where(publicPost)
        .where(publicThread),
    ),
  ]);

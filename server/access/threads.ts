// Which threads a viewer may see, in SQL and at a route. A thread is public when its first post
// is (the holds move together: server/moderation/holds.ts), and listed unless a moderator unlisted
// it; the viewer must also be able to read its category (./categories.ts).
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { openThreadRefusal, type canReadCategory, type WithheldFacts, type Viewer } from '../permissions.ts';
import { readableCategoryIds } from './categories.ts';

type ThreadsEb = ExpressionBuilder<Database & { t: Database['threads'] }, 't'>;

/** Public threads (as `t`): neither deleted, hidden nor held. */
export const publicThread = (eb: ThreadsEb) =>
  eb.and([eb('t.deleted_at', 'is', null), eb('t.hidden_at', 'is', null), eb('t.pending_at', 'is', null)]);

/** Listed threads (as `t`): public ones, less those moderators unlisted. */
export const listedThread = (eb: ThreadsEb) => eb.and([publicThread(eb), eb('t.unlisted_at', 'is', null)]);

/**
 * Threads the viewer may see in lists, search and feeds: public, listed ones in categories they
 * may read. Deleted, hidden, held and unlisted threads are never listed, whoever asks: their
 * author and staff open them at their address.
 */
export function visibleThreads(db: Db, viewer: Viewer | null) {
  return db
    .selectFrom('threads as t')
    .where(listedThread)
    .where('t.category_id', 'in', readableCategoryIds(db, viewer));
}

/**
 * Stops here unless the viewer may open the thread where it is (openThreadRefusal says what they
 * are told). For what acts on a thread, which must show no more than its page.
 */
export function assertCanOpenThread(viewer: Viewer | null, thread: WithheldFacts & Parameters<typeof canReadCategory>[1]) {
  const refused = openThreadRefusal(viewer, thread);
  if (refused) throw refused;
}

// The minute job of bookmarks: reminders whose time has come are sent (sendDueReminders says
// why each is sent once, whichever processes run the job).
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';
import { sendDueReminders } from './queries.ts';

/** A batch a run; a larger backlog (the job stopped for a while) goes over the next minutes. */
const BATCH = 500;

export async function sendReminders(db: Db, log: FastifyBaseLogger, now: () => Date): Promise<number> {
  try {
    const sent = await sendDueReminders(db, now(), BATCH);
    if (sent > 0) log.info({ sent }, 'bookmarks: reminders sent');
    return sent;
  } catch (err) {
    log.error({ err }, 'bookmarks: could not send the reminders due; the next minute tries again');
    return 0;
  }
}

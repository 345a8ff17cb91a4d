// Appeals: one per sanction, filed by the sanctioned member; each lands in the review queue.
import type { Db } from '../db/index.ts';

/**
 * A moderator's decision on an appeal, in the caller's transaction (the queue item is resolved
 * by the caller): `lift` ends the sanction now, `uphold` keeps it. The member is told either way.
 */
export async function decideAppeal(
  _db: Db,
  _d: { appealId: number; outcome: 'uphold' | 'lift'; by: number; note: string; at: Date },
): Promise<void> {
  throw new Error('not built yet');
}

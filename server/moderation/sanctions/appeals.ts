// Appeals: one per sanction, filed by the sanctioned member; each lands in the review queue,
// where a moderator lifts the sanction or upholds it.
import { isUniqueViolation, type Db } from '../../db/index.ts';
import { HttpError, notFound } from '../../errors.ts';
import { notice } from '../../notifications/queries.ts';
import { openAppealItem } from '../items.ts';
import { logAction } from '../log/write.ts';
import { endText, kindWords } from './rules.ts';
import { sanctionRefusal } from '../../permissions.ts';
import { liftSanction } from './queries.ts';

const ALREADY_APPEALED = 'You have already appealed this sanction; a moderator will decide on it.';

/**
 * Files the member's appeal and opens its queue item, both or neither. A second appeal of the
 * same sanction is refused (the unique constraint decides when two arrive at once).
 */
export async function fileAppeal(db: Db, a: { sanctionId: number; userId: number; body: string; at: Date }) {
  try {
    return await db.transaction().execute(async (tx) => {
      const appeal = await tx
        .insertInto('appeals')
        .values({ sanction_id: a.sanctionId, user_id: a.userId, body: a.body.trim(), created_at: a.at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const item = await openAppealItem(tx, appeal.id, a.at);
      return { id: appeal.id, itemId: item.id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new HttpError(409, ALREADY_APPEALED, { body: ALREADY_APPEALED });
    throw err;
  }
}

export { ALREADY_APPEALED };

/**
 * A moderator's decision on an appeal, in the caller's transaction (the queue item is resolved
 * by the caller): `lift` ends the sanction now, `uphold` keeps it. The member is told either way.
 * Only someone who may sanction the member decides (sanctionRefusal, server/permissions.ts): refused with a 403
 * before anything is written.
 */
export async function decideAppeal(
  db: Db,
  d: { appealId: number; outcome: 'uphold' | 'lift'; by: number; note: string; at: Date },
): Promise<void> {
  // The roles as they are now, in this transaction, not as a session remembers them. The member
  // sanctioned is the one appealing (fileAppeal).
  const member = await db
    .selectFrom('appeals as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['u.id', 'u.role'])
    .where('a.id', '=', d.appealId)
    .executeTakeFirst();
  if (!member) throw notFound('That appeal');
  const decider = await db.selectFrom('users').select(['id', 'username', 'role', 'rank']).where('id', '=', d.by).executeTakeFirstOrThrow();
  const refused = sanctionRefusal(decider, 'decide appeal', member);
  if (refused) throw refused;
  // Decided once: a second moderator deciding at the same time finds it taken.
  const appeal = await db
    .updateTable('appeals')
    .set({ outcome: d.outcome === 'lift' ? 'lifted' : 'upheld', decided_by: d.by, decided_at: d.at })
    .where('id', '=', d.appealId)
    .where('outcome', 'is', null)
    .returning(['id', 'sanction_id', 'user_id'])
    .executeTakeFirst();
  if (!appeal) throw new HttpError(409, 'This appeal was decided already.');
  const sanction = await db
    .selectFrom('sanctions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.kind', 's.ends_at', 's.lifted_at', 'u.username'])
    .where('s.id', '=', appeal.sanction_id)
    .executeTakeFirstOrThrow();
  const what = kindWords[sanction.kind].noun;
  const note = d.note.trim() ? ` The moderator's note: ${d.note.trim()}` : '';
  if (d.outcome === 'lift') {
    // The sanction may have ended or been lifted meanwhile; lifting it again changes nothing.
    await liftSanction(db, { sanctionId: sanction.id, by: d.by, at: d.at, log: false });
  }
  const message =
    d.outcome === 'lift'
      ? `Your appeal was accepted: your ${what} is lifted.${note}`
      : `Your appeal was considered and your ${what} stands${sanction.ends_at ? ` ${endText(sanction)}` : ''}.${note}`;
  await notice(db, { userId: appeal.user_id, kind: 'appeal_outcome', message });
  await logAction(db, {
    actorId: d.by,
    action: d.outcome === 'lift' ? 'appeal.lift' : 'appeal.uphold',
    target: { type: 'appeal', id: appeal.id, label: sanction.username },
    before: { sanction: sanction.id, kind: sanction.kind, ends_at: sanction.ends_at, lifted_at: sanction.lifted_at },
    after: d.outcome === 'lift' ? { lifted_at: sanction.lifted_at ?? d.at } : { lifted_at: sanction.lifted_at },
    reason: d.note,
    at: d.at,
  });
}

/**
 * What the review queue shows of appeals (views/partials/moderation/appeal.hbs renders one row):
 * the sanction's kind, reason and end, the member, and the appeal's text. One query for a page.
 */
export async function appealsForQueue(db: Db, appealIds: number[]) {
  if (!appealIds.length) return [];
  const rows = await db
    .selectFrom('appeals as a')
    .innerJoin('sanctions as s', 's.id', 'a.sanction_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('users as m', 'm.id', 's.created_by')
    .select([
      'a.id', 'a.body', 'a.created_at', 'a.outcome',
      's.id as sanction_id', 's.kind', 's.reason', 's.starts_at', 's.ends_at', 's.lifted_at', 'm.username as sanctioned_by',
      'u.id as user_id', 'u.username', 'u.rank', 'u.role',
    ])
    .where('a.id', 'in', appealIds)
    .execute();
  return rows.map((r) => ({ ...r, kind_noun: kindWords[r.kind].noun, end: endText(r) }));
}

export type QueueAppeal = Awaited<ReturnType<typeof appealsForQueue>>[number];

// Nominations for rank 4 (Ambassador): staff nominate an Advocate (rank 3), the member accepts
// or declines, staff may withdraw an open one. At most one is open per member (a unique index,
// migrations/0029). Each step is one transaction with its notifications and its staff log line.
//
// Every step takes the member's row first (for no key update: it does not stand in the way of the
// member's own posts, whose foreign keys only share it), then the nomination: two steps on one
// member go one after the other in the same order, so an accept racing a withdraw, or two
// accepts, cannot deadlock, and the second finds the nomination answered and changes nothing.
import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { nominationRefusal, rankNames, type Viewer } from '../permissions.ts';
import { logAction } from '../moderation/log/write.ts';

/** Where a member answers their nomination; the notification about it leads here. */
export const NOMINATION_PAGE = '/account/nomination';

export type NominationAnswer = 'accepted' | 'declined' | 'withdrawn';

/** A member to nominate, by name, with their rank. */
export function nominee(db: Db, username: string) {
  return db.selectFrom('users').select(['id', 'username', 'rank', 'role']).where('username', '=', username).executeTakeFirst();
}

/** The member's open nomination, with who nominated them (null: none open). */
export async function openNomination(db: Db, userId: number) {
  return (
    (await db
      .selectFrom('rank_nominations as n')
      .leftJoin('users as s', 's.id', 'n.nominated_by')
      .select(['n.id', 'n.user_id', 'n.note', 'n.created_at', 'n.nominated_by', 's.username as nominated_by_name'])
      .where('n.user_id', '=', userId)
      .where('n.answer', 'is', null)
      .executeTakeFirst()) ?? null
  );
}

/** The member's nominations, newest first: what staff see of their history. */
export function nominationsOf(db: Db, userId: number, limit = 10) {
  return db
    .selectFrom('rank_nominations as n')
    .leftJoin('users as s', 's.id', 'n.nominated_by')
    .select(['n.id', 'n.note', 'n.created_at', 'n.answer', 'n.answered_at', 's.username as nominated_by_name'])
    .where('n.user_id', '=', userId)
    .orderBy('n.id', 'desc')
    .limit(limit)
    .execute();
}

/** The member's row, taken for the step (see the top of this file). */
function lockMember(tx: Db, userId: number) {
  return tx.selectFrom('users').select(['id', 'username', 'rank', 'role']).where('id', '=', userId).forNoKeyUpdate().executeTakeFirst();
}

async function tell(tx: Db, n: { userId: number; kind: 'nomination' | 'rank'; message: string; link: string; actorId?: number | null }) {
  await tx.insertInto('notifications').values({ user_id: n.userId, kind: n.kind, message: n.message, link: n.link, actor_id: n.actorId ?? null }).execute();
}

const target = (m: { id: number; username: string }) => ({ type: 'user' as const, id: m.id, label: m.username });

/** Opens a nomination for this member, if nominationRefusal allows it under the member's lock. */
export async function nominate(db: Db, n: { viewer: Viewer; memberId: number; note: string; at: Date }) {
  return db.transaction().execute(async (tx) => {
    const member = await lockMember(tx, n.memberId);
    if (!member) throw new HttpError(404, 'That member could not be found.');
    const open = await openNomination(tx, member.id);
    const refused = nominationRefusal(n.viewer, member, open !== null);
    if (refused) throw refused;
    const row = await tx
      .insertInto('rank_nominations')
      .values({ user_id: member.id, nominated_by: n.viewer.id, note: n.note, created_at: n.at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tell(tx, {
      userId: member.id, kind: 'nomination', link: NOMINATION_PAGE, actorId: n.viewer.id,
      message: `You are nominated for ${rankNames[4]} (rank 4) by ${n.viewer.username}. Accept or decline on your nomination page.`,
    });
    await logAction(tx, {
      actorId: n.viewer.id, action: 'user.nominate', target: target(member),
      before: { rank: member.rank }, after: { nomination: row.id }, reason: n.note, at: n.at,
    });
    return { id: row.id, member };
  });
}

/**
 * Answers an open nomination: the member accepts or declines their own, staff withdraw one.
 * Answered already (the other tab, a withdraw that landed first): 409, and nothing changes.
 * Accepting makes the member rank 4 in the same transaction, with rank_changed_at; rank_locked
 * stays as it was (false for an earned rank), as the rank job leaves rank 4 to nominations.
 */
export async function answerNomination(db: Db, a: { nominationId: number; by: Viewer; answer: NominationAnswer; at: Date }) {
  return db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom('rank_nominations').select(['id', 'user_id']).where('id', '=', a.nominationId).executeTakeFirst();
    if (!found) throw new HttpError(404, 'That nomination could not be found.');
    // A member answers only their own; a withdrawal is the staff's (the route asked who may).
    if (a.answer !== 'withdrawn' && found.user_id !== a.by.id) throw new HttpError(404, 'That nomination could not be found.');
    const member = await lockMember(tx, found.user_id);
    if (!member) throw new HttpError(404, 'That member could not be found.');
    const answered = await tx
      .updateTable('rank_nominations')
      .set({ answer: a.answer, answered_at: a.at })
      .where('id', '=', found.id)
      .where('answer', 'is', null)
      .returning(['id', 'nominated_by', 'note'])
      .executeTakeFirst();
    if (!answered) throw new HttpError(409, 'This nomination was answered or withdrawn already.');
    if (a.answer === 'accepted') {
      // The rank may have fallen below Advocate since the nomination (the grace period ran out):
      // the top rank needs rank 3 at the moment it is taken. The answer is not written either.
      if (member.rank < 3) throw new HttpError(409, `Your rank is ${rankNames[member.rank]} now: an Ambassador must be an Advocate (rank 3) when accepting. Staff can nominate you again later.`);
      await tx.updateTable('users').set({ rank: 4, rank_changed_at: a.at }).where('id', '=', member.id).execute();
      await tell(tx, { userId: member.id, kind: 'rank', link: `/u/${member.username}`, message: `You are now an ${rankNames[4]} (rank 4). Thank you for helping this community.` });
    }
    if (a.answer === 'withdrawn') {
      await tell(tx, { userId: member.id, kind: 'nomination', link: NOMINATION_PAGE, actorId: a.by.id, message: `Your nomination for ${rankNames[4]} was withdrawn.` });
    } else if (answered.nominated_by !== null) {
      // Who nominated hears the answer.
      await tell(tx, {
        userId: answered.nominated_by, kind: 'nomination', link: `/u/${member.username}`, actorId: member.id,
        message: `${member.username} ${a.answer} the nomination for ${rankNames[4]}.`,
      });
    }
    const verb = { accepted: 'accept', declined: 'decline', withdrawn: 'withdraw' }[a.answer];
    await logAction(tx, {
      actorId: a.by.id, action: `nomination.${verb}`, target: target(member),
      before: { nomination: found.id, rank: member.rank, answer: null },
      after: { nomination: found.id, rank: a.answer === 'accepted' ? 4 : member.rank, answer: a.answer },
      at: a.at,
    });
    return { member, answer: a.answer };
  });
}

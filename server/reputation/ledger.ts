// The reputation ledger: append-only events, each moving one member's cached total
// (users.reputation) in the caller's transaction. Callers lock what orders their own writes (a
// vote locks its post, an accept its thread); here each member's row is locked before their
// total is read, so two events for one member at once are added one after the other. Lock the
// members of one write in id order (lockMembers), so that two writes touching the same two
// members never wait for each other in a circle.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database, ReputationKind } from '../db/schema.ts';
import { dayStart, pointsFor, reversalPoints, voteKinds } from './rules.ts';

type EventsEb = ExpressionBuilder<Database & { r: Database['reputation_events'] }, 'r'>;

/** Events (as `r`) that stand: written, not a reversal themselves, and not undone by one. */
export const standingEvent = (eb: EventsEb) =>
  eb.and([
    eb('r.reverses', 'is', null),
    eb.not(eb.exists(eb.selectFrom('reputation_events as u').select('u.id').whereRef('u.reverses', '=', 'r.id'))),
  ]);

/** Locks the members' rows, in id order, for the rest of the transaction. */
export async function lockMembers(tx: Db, ids: number[]): Promise<void> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  for (const id of sorted) await tx.selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
}

async function totalOf(tx: Db, userId: number): Promise<number> {
  const row = await tx.selectFrom('users').select('reputation').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
  return row.reputation;
}

async function move(tx: Db, userId: number, points: number) {
  if (points !== 0) await tx.updateTable('users').set((eb) => ({ reputation: eb('reputation', '+', points) })).where('id', '=', userId).execute();
}

export interface NewEvent {
  userId: number;
  kind: ReputationKind;
  postId: number | null;
  actorId: number | null;
  at: Date;
}

/** Whether an event of this kind about this post stands for the member (written and not undone). */
export async function standing(tx: Db, e: { userId: number; kind: ReputationKind; postId: number }): Promise<boolean> {
  const row = await tx
    .selectFrom('reputation_events as r')
    .select('r.id')
    .where('r.user_id', '=', e.userId)
    .where('r.kind', '=', e.kind)
    .where('r.post_id', '=', e.postId)
    .where(standingEvent)
    .executeTakeFirst();
  return row !== undefined;
}

/** Writes the event and moves the member's total by what it is worth to them now. */
export async function award(tx: Db, e: NewEvent): Promise<{ id: number; points: number }> {
  const total = await totalOf(tx, e.userId);
  let gainedToday = 0;
  if (voteKinds.includes(e.kind)) {
    // Gains from votes today, undone ones included: voting and unvoting buys nothing back.
    const row = await tx
      .selectFrom('reputation_events')
      .select(sql<number>`coalesce(sum(points), 0)::int`.as('n'))
      .where('user_id', '=', e.userId)
      .where('kind', 'in', voteKinds)
      .where('reverses', 'is', null)
      .where('created_at', '>=', dayStart(e.at))
      .executeTakeFirstOrThrow();
    gainedToday = row.n;
  }
  const points = pointsFor(e.kind, total, gainedToday);
  const event = await tx
    .insertInto('reputation_events')
    .values({ user_id: e.userId, kind: e.kind, points, post_id: e.postId, actor_id: e.actorId, created_at: e.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await move(tx, e.userId, points);
  return { id: event.id, points };
}

/**
 * Undoes the latest event of this kind that this actor caused this member on this post, if one
 * stands (`actorId` undefined: whoever caused it): writes its reversal and moves the total back
 * (held to the floor).
 */
export async function reverse(tx: Db, e: Omit<NewEvent, 'actorId'> & { actorId?: number | null }): Promise<void> {
  const original = await tx
    .selectFrom('reputation_events as r')
    .select(['r.id', 'r.points'])
    .where('r.user_id', '=', e.userId)
    .where('r.kind', '=', e.kind)
    .where('r.post_id', e.postId === null ? 'is' : '=', e.postId)
    .$if(e.actorId !== undefined, (q) => q.where('r.actor_id', e.actorId === null ? 'is' : '=', e.actorId ?? null))
    .where(standingEvent)
    .orderBy('r.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!original) return;
  const total = await totalOf(tx, e.userId);
  const points = reversalPoints(original.points, total);
  await tx
    .insertInto('reputation_events')
    .values({ user_id: e.userId, kind: e.kind, points, post_id: e.postId, actor_id: e.actorId ?? null, reverses: original.id, created_at: e.at })
    .execute();
  await move(tx, e.userId, points);
}

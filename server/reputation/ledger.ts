// The reputation ledger: append-only events, each moving one member's cached total
// (users.reputation) in the caller's transaction. Callers lock what orders their own writes (a
// vote locks its post, an accept its thread); here each member's row is locked before their
// total is read, so two events for one member at once are added one after the other. The members
// of one write are locked together in id order (Moves.open), so that two writes touching the same
// two members never wait for each other in a circle.
//
// A write's events are decided in memory (Moves) from the totals and the day's gains read with
// the locks, and written with the totals they move in one statement: a vote is a handful of
// statements, not one per event and member, which is what lets votes keep up under load.
import { sql, type ExpressionBuilder, type RawBuilder, type Selectable } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database, ReputationEventsTable, ReputationKind } from '../db/schema.ts';
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
  if (sorted.length) await sql`select id from users where id = any(${sorted}::bigint[]) order by id for update`.execute(tx);
}

export interface NewEvent {
  userId: number;
  kind: ReputationKind;
  postId: number | null;
  actorId: number | null;
  at: Date;
}

/** A standing event, as found to be undone. */
export interface StandingRow {
  id: number;
  user_id: number;
  kind: ReputationKind;
  points: number;
  actor_id: number | null;
}

/** An event decided and not yet written: a row of the ledger but its id and time. */
type Pending = Omit<Selectable<ReputationEventsTable>, 'id' | 'created_at'>;

/** A member as lockedMembers reads them. */
export interface LockedMember {
  id: number;
  reputation: number;
  /** Their gains from votes on the UTC day of the write. */
  gained: number;
}

/**
 * Whether an event (its table as `alias`, if any) counts towards the day's cap: a vote's gain, and
 * not a reversal, so that voting and unvoting buys nothing back.
 */
export function towardsCap(alias?: string): RawBuilder<boolean> {
  const col = (c: string) => sql.ref(alias ? `${alias}.${c}` : c);
  return sql<boolean>`${col('kind')} = any(${voteKinds}::text[]) and ${col('reverses')} is null`;
}

/** The UTC day of `at`, as the date vote_gains_on holds. */
const dayOf = (at: Date) => dayStart(at).toISOString().slice(0, 10);

/**
 * The statement that locks the members (in id order) and reads their totals and the day's gains
 * (migrations/0033). `ids` is an SQL bigint[]: Moves.open's list, or in a statement of the
 * caller's that locks its own row first, the members named by that row (a vote's post's author),
 * which makes these locks come after its own. With `lock` false it only reads them (a write that
 * decides first and locks in its write, checking them with membersAsRead).
 */
export function lockedMembers(ids: RawBuilder<unknown>, at: Date, lock = true): RawBuilder<LockedMember> {
  return sql<LockedMember>`
    select u.id, u.reputation, case when u.vote_gains_on = ${dayOf(at)}::date then u.vote_gains else 0 end as gained
    from users u where u.id = any(${ids}) order by u.id ${lock ? sql`for update of u` : sql``}`;
}

/**
 * Whether the members locked in the common table expression `locked` (lockedMembers' columns)
 * are as `read` found them before they were locked: the same totals and the same day's gains,
 * which is all that the points of a write's events were decided from (pointsFor).
 */
export function membersAsRead(locked: string, read: readonly LockedMember[]): RawBuilder<boolean> {
  return sql<boolean>`(select count(*) from ${sql.table(locked)} l
    join unnest(${read.map((m) => m.id)}::bigint[], ${read.map((m) => m.reputation)}::int[], ${read.map((m) => m.gained)}::int[])
      as r(id, reputation, gained) using (id, reputation, gained)) = ${read.length}`;
}

/**
 * The reputation one write moves: its members locked and read at once (total, and gains from
 * votes since the start of the day), each event's points decided against what the events before
 * it in the same write left, and all of them written together (write).
 */
export class Moves {
  private pending: Pending[] = [];

  private constructor(
    private readonly members: Map<number, { total: number; gained: number }>,
    private readonly at: Date,
  ) {}

  /** Locks the members (in id order) and reads their totals and the day's gains from votes. */
  static async open(tx: Db, ids: number[], at: Date): Promise<Moves> {
    const { rows } = await sql<LockedMember>`${lockedMembers(sql`${ids}::bigint[]`, at)}`.execute(tx);
    return Moves.of(rows, at);
  }

  /** The moves of members locked and read by lockedMembers, in a statement of the caller's. */
  static of(members: readonly LockedMember[], at: Date): Moves {
    return new Moves(new Map(members.map((r) => [r.id, { total: r.reputation, gained: r.gained }])), at);
  }

  private member(userId: number) {
    const m = this.members.get(userId);
    if (!m) throw new Error(`reputation: member ${userId} was not opened with this write`);
    return m;
  }

  /** An event, worth what it is to the member now (held to the daily cap and the floor); answers its points. */
  award(e: Omit<NewEvent, 'at'>): number {
    const m = this.member(e.userId);
    const points = pointsFor(e.kind, m.total, m.gained);
    if (voteKinds.includes(e.kind)) m.gained += points;
    m.total += points;
    this.pending.push({ user_id: e.userId, kind: e.kind, points, post_id: e.postId, actor_id: e.actorId, reverses: null });
    return points;
  }

  /** The reversal of a standing event (found with standingEvents): its opposite, held to the floor. */
  reverse(original: StandingRow, e: { postId: number | null; actorId: number | null }): void {
    const m = this.member(original.user_id);
    const points = reversalPoints(original.points, m.total);
    m.total += points;
    this.pending.push({ user_id: original.user_id, kind: original.kind, points, post_id: e.postId, actor_id: e.actorId, reverses: original.id });
  }

  /** Writes the events and moves the totals, in one statement; nothing when there is nothing to write. */
  async write(tx: Db): Promise<void> {
    const ctes = this.take();
    if (ctes) await sql`with ${ctes} select 1`.execute(tx);
  }

  /**
   * The events and the totals they move as common table expressions (`written`, `moved`), for a
   * write to run in its own statement (null: nothing to write), written only `when` that holds (a
   * condition of the statement's); taken, they are no longer pending.
   */
  take(when: RawBuilder<boolean> = sql<boolean>`true`): RawBuilder<unknown> | null {
    if (!this.pending.length) return null;
    const day = dayOf(this.at);
    const col = <K extends keyof Pending>(k: K) => this.pending.map((p) => p[k]);
    const ctes = sql`
      written as (
        insert into reputation_events (user_id, kind, points, post_id, actor_id, reverses, created_at)
        select e.user_id, e.kind, e.points, e.post_id, e.actor_id, e.reverses, ${this.at}::timestamptz
        from unnest(${col('user_id')}::bigint[], ${col('kind')}::text[], ${col('points')}::int[],
          ${col('post_id')}::bigint[], ${col('actor_id')}::bigint[], ${col('reverses')}::bigint[])
          as e(user_id, kind, points, post_id, actor_id, reverses)
        where ${when}
        returning user_id, kind, points, reverses
      ),
      moved as (
        update users u set
          reputation = u.reputation + m.points,
          -- The day's gains from votes: added to on the same day, begun again on a later one, and
          -- left as they are by a write of an earlier day than they count for (one that crossed
          -- midnight while another committed after it).
          vote_gains = case
            when u.vote_gains_on = ${day}::date then u.vote_gains + m.gains
            when u.vote_gains_on is null or u.vote_gains_on < ${day}::date then m.gains
            else u.vote_gains end,
          vote_gains_on = greatest(u.vote_gains_on, ${day}::date)
        from (
          select user_id, sum(points)::int as points,
            coalesce(sum(points) filter (where ${towardsCap()}), 0)::int as gains
          from written group by user_id
        ) m
        where u.id = m.user_id and (m.points <> 0 or m.gains <> 0)
        returning u.id
      )`;
    this.pending = [];
    return ctes;
  }
}

/**
 * The latest standing event of each (member, kind) asked for on this post, caused by this actor
 * (`actorId` undefined: whoever caused it), in one read.
 */
export async function standingEvents(
  tx: Db,
  w: { postId: number; actorId?: number | null; events: { userId: number; kind: ReputationKind }[] },
): Promise<StandingRow[]> {
  if (!w.events.length) return [];
  return tx
    .selectFrom('reputation_events as r')
    .select(['r.id', 'r.user_id', 'r.kind', 'r.points', 'r.actor_id'])
    .distinctOn(['r.user_id', 'r.kind'])
    .where('r.post_id', '=', w.postId)
    .where((eb) => eb.or(w.events.map((e) => eb.and([eb('r.user_id', '=', e.userId), eb('r.kind', '=', e.kind)]))))
    .$if(w.actorId !== undefined, (q) => q.where('r.actor_id', w.actorId === null ? 'is' : '=', w.actorId ?? null))
    .where(standingEvent)
    .orderBy('r.user_id')
    .orderBy('r.kind')
    .orderBy('r.id', 'desc')
    .execute();
}

/** Whether an event of this kind about this post stands for the member (written and not undone). */
export async function standing(tx: Db, e: { userId: number; kind: ReputationKind; postId: number }): Promise<boolean> {
  return (await standingEvents(tx, { postId: e.postId, events: [e] })).length > 0;
}

/** Writes one event and moves the member's total by what it is worth to them now. */
export async function award(tx: Db, e: NewEvent): Promise<{ points: number }> {
  const moves = await Moves.open(tx, [e.userId], e.at);
  const points = moves.award(e);
  await moves.write(tx);
  return { points };
}

/**
 * Undoes the latest event of this kind that this actor caused this member on this post, if one
 * stands (`actorId` undefined: whoever caused it): writes its reversal and moves the total back
 * (held to the floor).
 */
export async function reverse(tx: Db, e: Omit<NewEvent, 'actorId' | 'postId'> & { postId: number; actorId?: number | null }): Promise<void> {
  const [original] = await standingEvents(tx, { postId: e.postId, actorId: e.actorId, events: [e] });
  if (!original) return;
  const moves = await Moves.open(tx, [e.userId], e.at);
  moves.reverse(original, { postId: e.postId, actorId: e.actorId ?? null });
  await moves.write(tx);
}

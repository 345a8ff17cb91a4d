// Votes on questions and answers, and a question's accepted answer. Each write takes its lock
// first — the post's row for a vote, the thread's row for an accept — so concurrent votes and
// accepts on the same post or question are decided one after the other and no count is lost or
// doubled; the reputation they move is written in the same transaction (server/reputation/).
import type { Db } from '../db/index.ts';
import { sql, type RawBuilder } from 'kysely';
import { postWithThread, postWithThreadQuery } from '../access/posts.ts';
import { notFound } from '../errors.ts';
import { lockedMembers, membersAsRead, Moves, standingEvent, type LockedMember, type StandingRow } from '../reputation/ledger.ts';

/** The post an accept is on (access/posts.ts postWithThread reads it at the route). */
export interface PostForVote {
  id: number;
  user_id: number;
  post_number: number;
  thread_id: number;
}

/** The post voted on, with its thread and category (postWithThread), its score and the voter's vote before. */
export type VotedPost = NonNullable<Awaited<ReturnType<typeof postWithThread<'t.last_post_number' | 'p.score'>>>> & { was: -1 | 0 | 1 };

type Vote = -1 | 0 | 1;
interface VoteRequest {
  postId: number;
  voterId: number;
  value: Vote;
  at: Date;
  /** Refuses (throws) a vote the voter may not cast on the post as read; may be asynchronous. */
  check: (post: VotedPost) => void | Promise<void>;
}

/** The kinds of event a vote writes (voteEvents), which a vote changed or taken back undoes. */
const voteEventKinds = ['answer_upvoted', 'question_upvoted', 'post_downvoted', 'downvoted_answer'] as const;

/** What one vote of `vote` on the post writes: its author's event, and on an answer's downvote the voter's. */
function voteEvents(post: VotedPost, voterId: number, vote: -1 | 1): { userId: number; kind: (typeof voteEventKinds)[number] }[] {
  const isAnswer = post.post_number > 1;
  return vote === 1
    ? [{ userId: post.user_id, kind: isAnswer ? 'answer_upvoted' : 'question_upvoted' }]
    : [{ userId: post.user_id, kind: 'post_downvoted' }, ...(isAnswer ? [{ userId: voterId, kind: 'downvoted_answer' as const }] : [])];
}

/** The post as a vote reads it: with its thread, the voter's vote, its author and the voter, and the voter's standing events on it. */
interface VoteRead {
  post: VotedPost;
  members: LockedMember[];
  standing: StandingRow[];
  /** The post row's version (xmin): any vote on the post, or any change to it, makes a new one. */
  version: string;
  /** Locked, but read in a snapshot from before the lock was granted (another write changed the post meanwhile). */
  stale: boolean;
}

/**
 * One statement: the post with its thread and category, the voter's vote on it, its author and the
 * voter (totals and the day's gains), and the voter's standing events on the post; with `lock`, the
 * post's row locked and then the members', in the order every vote takes them.
 */
async function readForVote(db: Db, v: VoteRequest, lock: boolean): Promise<VoteRead | null> {
  const { voterId, at } = v;
  const post = postWithThreadQuery(db, v.postId, [
    't.last_post_number', 'p.score',
    sql<Vote>`coalesce((select value from post_votes where post_id = p.id and user_id = ${voterId}), 0)::int`.as('was'),
    sql<string>`p.xmin::text`.as('version'),
    // Under the lock, the row as the statement's snapshot has it: another version if a write
    // changed the post while this one waited, and then what the snapshot read beside it is old.
    (lock ? sql<boolean>`p.xmin::text <> (select q.xmin::text from posts q where q.id = p.id)` : sql<boolean>`false`).as('stale'),
  ]);
  // The latest standing event of each kind a vote writes, for each member, that the voter caused on the post.
  const standingQuery = db
    .selectFrom('reputation_events as r')
    .select(['r.id', 'r.user_id', 'r.kind', 'r.points', 'r.actor_id'])
    .distinctOn(['r.user_id', 'r.kind'])
    .where(sql<boolean>`r.post_id = f.id`)
    .where('r.actor_id', '=', voterId)
    .where('r.kind', 'in', [...voteEventKinds])
    .where(standingEvent)
    .orderBy('r.user_id')
    .orderBy('r.kind')
    .orderBy('r.id', 'desc');
  const { rows } = await sql<VotedPost & { version: string; stale: boolean; members: LockedMember[]; standing: StandingRow[] }>`
    select f.*, m.members, s.standing from (${lock ? post.forUpdate('p') : post}) f
    cross join lateral (
      select coalesce(json_agg(x), '[]'::json) as members
      from (${lockedMembers(sql`array[f.user_id, ${voterId}]::bigint[]`, at, lock)}) x
    ) m
    cross join lateral (select coalesce(json_agg(y), '[]'::json) as standing from (${standingQuery}) y) s`.execute(db);
  const found = rows[0];
  if (!found) return null;
  const { members, standing, version, stale, ...rest } = found;
  return { post: rest, members, standing, version, stale };
}

/**
 * What the vote writes, decided from the post, the members and the standing events as read: what
 * the vote was before undone with the reputation it moved, the new one counted, the vote's row and
 * the score; each statement written only `when` that holds.
 */
function voteWrites(read: VoteRead, v: VoteRequest, when: RawBuilder<boolean>) {
  const { post, members, standing } = read;
  const { voterId, value, at } = v;
  const was = post.was;
  const moves = Moves.of(members, at);
  if (was !== 0) {
    for (const e of voteEvents(post, voterId, was)) {
      const original = standing.find((s) => s.user_id === e.userId && s.kind === e.kind);
      if (original) moves.reverse(original, { postId: post.id, actorId: voterId });
    }
  }
  if (value !== 0) for (const e of voteEvents(post, voterId, value)) moves.award({ ...e, postId: post.id, actorId: voterId });
  const vote =
    was === 0
      ? sql`insert into post_votes (post_id, user_id, value, created_at) select ${post.id}, ${voterId}, ${value}, ${at} where ${when}`
      : value === 0
        ? sql`delete from post_votes where post_id = ${post.id} and user_id = ${voterId} and ${when}`
        : sql`update post_votes set value = ${value}, created_at = ${at} where post_id = ${post.id} and user_id = ${voterId} and ${when}`;
  const reputation = moves.take(when);
  return { vote, reputation, scoreChange: value - was };
}

/**
 * Sets the voter's vote on the post to `value` (0: none) and answers the post as voted on and its
 * new score. What the vote was before is undone first, with the reputation it moved; then the new
 * one counts. An upvote gives the author +10 on an answer and +5 on a question; a downvote takes
 * 2 from the author and, on an answer, 1 from the voter. `check` refuses, with the error to answer,
 * a vote the voter may not cast on the post as read (nothing is then written).
 *
 * Two round trips, and no transaction of its own, when nothing else writes the post or its
 * members meanwhile: one statement reads the post, the members and the events to undo, and one
 * writes, locking the post and then the members and writing only if all of them are still as read
 * (the post row's version, the members' totals and the day's gains), which is what the events were
 * decided from. Otherwise, as under a burst of votes on one answer, the vote is cast under the
 * locks (castLocked). Each round trip costs real CPU on both sides here (the bench's profile
 * showed a third of the server's time in writing to the database's socket), and the lock-first
 * way takes four: begin, lock and read, write, commit.
 */
export async function castVote(db: Db, v: VoteRequest): Promise<{ post: VotedPost; score: number; value: Vote }> {
  const read = await readForVote(db, v, false);
  if (!read) throw notFound('That post');
  const { post } = read;
  await v.check(post);
  if (post.was === v.value) return { post, score: post.score, value: v.value };
  const ok = sql<boolean>`exists (select from ok)`;
  const { vote, reputation, scoreChange } = voteWrites(read, v, ok);
  const written = await sql<{ score: number }>`
    with target as (
      select p.id, p.user_id from posts p where p.id = ${post.id} and p.xmin = ${read.version}::xid for update
    ),
    locked as (${lockedMembers(sql`array[(select user_id from target), ${v.voterId}]::bigint[]`, v.at)}),
    ok as (select from target where ${membersAsRead('locked', read.members)}),
    ${reputation ? sql`${reputation},` : sql``} vote as (${vote})
    update posts set score = score + ${scoreChange} where id = ${post.id} and ${ok} returning score`.execute(db);
  const moved = written.rows[0];
  if (moved) return { post, score: moved.score, value: v.value };
  // Something moved since the read: decided again under the locks.
  return castLocked(db, v);
}

/**
 * The vote under the locks: the post's row orders the votes on it, and its author and the voter
 * are locked after it (in a lateral join on the row) at their newest version, so a lock that
 * waited on another vote still sees what it gained (migrations/0033). Read again once the lock is
 * held if a write changed the post while this one waited (the statement's snapshot, which the
 * voter's vote and events are read in, is from before).
 */
async function castLocked(db: Db, v: VoteRequest): Promise<{ post: VotedPost; score: number; value: Vote }> {
  return db.transaction().execute(async (tx) => {
    let read = await readForVote(tx, v, true);
    if (read?.stale) read = await readForVote(tx, v, true);
    if (!read) throw notFound('That post');
    const { post } = read;
    await v.check(post);
    if (post.was === v.value) return { post, score: post.score, value: v.value };
    const { vote, reputation, scoreChange } = voteWrites(read, v, sql<boolean>`true`);
    // The events, the totals, the vote and the score in one statement.
    const moved = await sql<{ score: number }>`
      with ${reputation ? sql`${reputation},` : sql``} vote as (${vote})
      update posts set score = score + ${scoreChange} where id = ${post.id} returning score`.execute(tx);
    return { post, score: moved.rows[0]!.score, value: v.value };
  });
}

/**
 * Accepts the post as its question's answer, or undoes the accept when it is the accepted one
 * already. Accepting another answer first undoes the one before. The answer's author gets +15
 * and whoever accepts +2, unless the answer is their own (nobody earns from accepting themselves).
 */
export async function toggleAccept(db: Db, a: { post: PostForVote; by: number; at: Date }): Promise<{ accepted: boolean }> {
  const { post, by, at } = a;
  return db.transaction().execute(async (tx) => {
    // The thread's row orders the accepts of one question.
    const thread = await tx.selectFrom('threads').select(['id', 'accepted_post_id']).where('id', '=', post.thread_id).forUpdate().executeTakeFirstOrThrow();
    // What accepting the answer before gave, whoever accepted it, is undone: found by its post.
    const before = thread.accepted_post_id;
    const undo = before === null ? [] : await acceptEvents(tx, before);
    // Every member this write moves, locked at once in id order.
    const moves = await Moves.open(tx, [post.user_id, by, ...undo.map((e) => e.user_id)], at);
    for (const e of undo) moves.reverse(e, { postId: before, actorId: e.actor_id });
    const accepted = before !== post.id;
    if (accepted) {
      moves.award({ userId: post.user_id, kind: 'answer_accepted', postId: post.id, actorId: by });
      if (by !== post.user_id) moves.award({ userId: by, kind: 'accepted_an_answer', postId: post.id, actorId: by });
    }
    await moves.write(tx);
    await tx.updateTable('threads').set({ accepted_post_id: accepted ? post.id : null }).where('id', '=', thread.id).execute();
    return { accepted };
  });
}

/** The standing (not undone) events that accepting this answer gave, whoever accepted it. */
function acceptEvents(tx: Db, postId: number): Promise<StandingRow[]> {
  return tx
    .selectFrom('reputation_events as r')
    .select(['r.id', 'r.user_id', 'r.kind', 'r.points', 'r.actor_id'])
    .where('r.post_id', '=', postId)
    .where('r.kind', 'in', ['answer_accepted', 'accepted_an_answer'])
    .where(standingEvent)
    .execute();
}

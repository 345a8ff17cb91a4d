import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { categoryAccessColumns } from '../access/categories.ts';
import { isClosed } from './rules.ts';
import type { Poll, PollInput } from './types.ts';

export async function createPoll(db: Db, threadId: number, p: PollInput) {
  const poll = await db
    .insertInto('polls')
    .values({ thread_id: threadId, question: p.question, multiple: p.multiple, closes_at: p.closesAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('poll_options')
    .values(p.options.map((label, position) => ({ poll_id: poll.id, position, label })))
    .execute();
  return poll;
}

/** A thread's poll with its options and whether the viewer has voted: one query. */
export async function pollOfThread(db: Db, threadId: number, viewerId: number | undefined): Promise<Poll | null> {
  const rows = await db
    .selectFrom('polls as p')
    .innerJoin('poll_options as o', 'o.poll_id', 'p.id')
    .leftJoin('poll_votes as v', (join) => join.onRef('v.option_id', '=', 'o.id').on('v.user_id', '=', viewerId ?? 0))
    .leftJoin('poll_ballots as b', (join) => join.onRef('b.poll_id', '=', 'p.id').on('b.user_id', '=', viewerId ?? 0))
    .select([
      'p.id', 'p.question', 'p.multiple', 'p.closes_at', 'p.voter_count',
      'o.id as option_id', 'o.label', 'o.vote_count', 'v.user_id as chosen', 'b.user_id as voted',
    ])
    .where('p.thread_id', '=', threadId)
    .orderBy('o.position')
    .execute();
  if (!rows.length) return null;
  const [first] = rows;
  return {
    id: first.id,
    threadId,
    question: first.question,
    multiple: first.multiple,
    closes_at: first.closes_at,
    voter_count: first.voter_count,
    hasVoted: first.voted !== null,
    options: rows.map((r) => ({ id: r.option_id, label: r.label, vote_count: r.vote_count, chosen: r.chosen !== null })),
  };
}

/**
 * Casts a member's one ballot. The ballot's primary key refuses a second one, even when two
 * arrive at once; counts move in the same transaction.
 */
export async function castBallot(db: Db, pollId: number, userId: number, optionIds: number[], now: Date) {
  return db.transaction().execute(async (tx) => {
    const poll = await tx.selectFrom('polls').select(['id', 'multiple', 'closes_at']).where('id', '=', pollId).forUpdate().executeTakeFirstOrThrow();
    if (isClosed(poll, now)) throw new HttpError(409, 'This poll has closed; its results are final.');
    const unique = [...new Set(optionIds)];
    if (!unique.length) throw new HttpError(422, 'Choose an option before voting.', { option: 'Choose an option.' });
    if (!poll.multiple && unique.length > 1) throw new HttpError(422, 'This poll takes one choice.', { option: 'Choose one option.' });
    const valid = await tx.selectFrom('poll_options').select('id').where('poll_id', '=', pollId).where('id', 'in', unique).execute();
    if (valid.length !== unique.length) throw new HttpError(422, 'That option is not part of this poll.');
    const ballot = await tx
      .insertInto('poll_ballots')
      .values({ poll_id: pollId, user_id: userId })
      .onConflict((oc) => oc.columns(['poll_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!ballot) throw new HttpError(409, 'You have already voted in this poll.');
    await tx.insertInto('poll_votes').values(unique.map((option_id) => ({ option_id, poll_id: pollId, user_id: userId }))).execute();
    await tx.updateTable('poll_options').set((eb) => ({ vote_count: eb('vote_count', '+', 1) })).where('id', 'in', unique).execute();
    await tx.updateTable('polls').set((eb) => ({ voter_count: eb('voter_count', '+', 1) })).where('id', '=', pollId).execute();
  });
}

export function pollById(db: Db, id: number) {
  return db
    .selectFrom('polls as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .select(['p.id', 'p.thread_id', 't.slug', 't.user_id', 't.deleted_at', 't.hidden_at', 't.pending_at', ...categoryAccessColumns])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

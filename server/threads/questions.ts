// What threads know of questions: the order of a question's page (its posts ranked by score),
// where a post of one is found, and for the lists the filters (unanswered, unsolved, solved) and
// the columns a question's row shows (SQL pieces for the threads as `t`).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { PAGE_SIZE, pageOf, postOnPage, postUrl } from '../addresses.ts';

/**
 * A question's posts in the order its pages show them, each with its rank (the question is 1):
 * the question, then its accepted answer, then the other answers by score, the older first
 * among equals (post numbers are given in the order posts are written). A post is on page
 * pageOf(rank), as a discussion's is on pageOf(post_number).
 *
 * Every post of the thread is ranked, held, hidden and deleted ones too, so that a post's rank
 * is the same whoever reads: the posts a reader may not see leave gaps, as they do in a
 * discussion, and the page every member shares (member-page.ts), /p/:id and the pager agree.
 * The window reads all of one thread's posts through posts_thread_number and sorts them: a
 * question holds tens of posts, and its ranking is read again only when a vote or a post
 * changes the page (its pages are kept until then).
 */
export function rankedPosts(db: Db, threadId: number) {
  // The accepted answer as the thread has it now (read once, not per post): a caller's copy of
  // the thread may be older than an accept that just landed.
  const accepted = db.selectFrom('threads as at').select('at.accepted_post_id').where('at.id', '=', threadId);
  return db
    .selectFrom('posts as rp')
    .select([
      'rp.id',
      sql<number>`row_number() over (order by case when rp.post_number = 1 then 0 when rp.id = (${accepted}) then 1 else 2 end, rp.score desc, rp.post_number)`.as('rank'),
    ])
    .where('rp.thread_id', '=', threadId);
}

/**
 * The ids and ranks of the posts on one page of a question. The limit changes nothing (the
 * ranks are a range of that size) but tells the planner how few come out, so that the page's
 * posts are then read by id rather than the thread's read again into a hash (a question of
 * 1,044 posts on a 200,000-post seed: 3.7 ms rather than 7.1).
 */
export function ranksOnPage(db: Db, threadId: number, page: number) {
  const from = (page - 1) * PAGE_SIZE;
  return db
    .selectFrom(rankedPosts(db, threadId).as('w'))
    .select(['w.id', 'w.rank'])
    .where('w.rank', '>', from)
    .where('w.rank', '<=', from + PAGE_SIZE)
    .limit(PAGE_SIZE);
}

/** Where a post of this thread is: for a question, on the page of its rank now (one query). */
export async function postAddress(
  db: Db,
  thread: { id: number; slug: string; kind: string },
  post: { id: number; post_number: number },
): Promise<string> {
  if (thread.kind !== 'question') return postUrl(thread, post);
  const row = await db.selectFrom(rankedPosts(db, thread.id).as('r')).select('r.rank').where('r.id', '=', post.id).executeTakeFirst();
  return postOnPage(thread, post.id, pageOf(row?.rank ?? post.post_number));
}

/** The lists' question filters: no answer yet, no accepted answer yet, an accepted answer. */
export const questionFilters = ['unanswered', 'unsolved', 'solved'] as const;
export type QuestionFilter = (typeof questionFilters)[number];

type ListEb = ExpressionBuilder<Database & { t: Database['threads'] }, 't'>;

/** Threads (as `t`) a filter keeps: questions only, in the state it names. */
export const questionsThat = (filter: QuestionFilter) => (eb: ListEb) =>
  eb.and([
    eb('t.kind', '=', 'question'),
    filter === 'unanswered' ? eb('t.reply_count', '=', 0) : eb('t.accepted_post_id', filter === 'solved' ? 'is not' : 'is', null),
  ]);

/** What a list's row shows of a question: whether it is solved, and its score (its first post's; none for other kinds). */
export const questionColumns = (eb: ListEb) => [
  't.accepted_post_id',
  eb
    .case()
    .when('t.kind', '=', 'question')
    .then(eb.selectFrom('posts as qp').select('qp.score').whereRef('qp.thread_id', '=', 't.id').where('qp.post_number', '=', 1))
    .end()
    .as('question_score'),
] as const;

const filterLabels: Record<QuestionFilter, string> = { unanswered: 'Unanswered', unsolved: 'Unsolved', solved: 'Solved' };

/** The filter links above a list at `base` (its address without a query), the current one marked. */
export function filterLinks(base: string, current?: QuestionFilter) {
  return [
    { label: 'All threads', href: base, current: current === undefined },
    ...questionFilters.map((f) => ({ label: `${filterLabels[f]} questions`, href: `${base}?filter=${f}`, current: current === f })),
  ];
}

/** A list's query: its cursor and its filter (`filter` must be one of questionFilters: the schema says so). */
export const listQuery = {
  type: 'object',
  properties: { before: { type: 'string', maxLength: 100 }, filter: { type: 'string', enum: questionFilters } },
} as const;

// What the thread lists know of questions: the filters (unanswered, unsolved, solved) and the
// columns a question's row shows. SQL pieces for the threads as `t`.
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema.ts';

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

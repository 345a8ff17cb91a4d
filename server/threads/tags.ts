// Tags on threads: set when a thread starts, listed on /tag/:name.
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.ts';
import type { Viewer } from '../permissions.ts';
import { visibleThreads } from '../access/threads.ts';
import { questionColumns, questionsThat, type QuestionFilter } from './questions.ts';

/**
 * Attaches tags to a new thread, creating the ones that do not exist yet. A tag's thread count
 * is kept by triggers (migrations/0026_public_counts.ts): it counts the thread once it is public
 * in a category open to all, so a held thread, or one in a staff-only category, is not counted.
 * The tags go on in id order, the order the triggers lock them in.
 */
export async function tagThread(db: Db, threadId: number, names: string[]) {
  if (!names.length) return;
  await db
    .insertInto('tags')
    .values(names.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tags = await db.selectFrom('tags').select('id').where('name', 'in', names).orderBy('id').execute();
  await db.insertInto('thread_tags').values(tags.map((t) => ({ thread_id: threadId, tag_id: t.id }))).execute();
}

/** The tag names of a thread, as a column of a list query (one query for the whole list). */
export function tagNames(threadIdColumn: 't.id') {
  return (eb: any) =>
    jsonArrayFrom(
      eb
        .selectFrom('thread_tags as tt')
        .innerJoin('tags as g', 'g.id', 'tt.tag_id')
        .select('g.name')
        .whereRef('tt.thread_id', '=', threadIdColumn)
        .orderBy('g.name'),
    ).as('tags');
}

/** A tag with its thread count, which counts what everyone may read (see tagThread): the same for every viewer. */
export function tagByName(db: Db, name: string) {
  return db.selectFrom('tags').select(['id', 'name', 'thread_count']).where('name', '=', name.toLowerCase()).executeTakeFirst();
}

/** A tag's threads by last activity, keyset-paged like a category. */
export function taggedThreads(db: Db, viewer: Viewer | null, tagId: number, limit: number, before?: { at: Date; id: number }, filter?: QuestionFilter) {
  let q = visibleThreads(db, viewer)
    .$if(filter !== undefined, (q) => q.where(questionsThat(filter!)))
    .innerJoin('thread_tags as tt', 'tt.thread_id', 't.id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id', 't.title', 't.slug', 't.kind', 't.reply_count', 't.last_post_at',
      'c.name as category_name', 'c.slug as category_slug', 'c.color as category_color', 'u.username',
      'u.display_name', 'u.avatar',
    ])
    .select(questionColumns)
    .where('tt.tag_id', '=', tagId);
  if (before) q = q.where(sql<boolean>`(t.last_post_at, t.id) < (${before.at}, ${before.id})`);
  return q.orderBy('t.last_post_at', 'desc').orderBy('t.id', 'desc').limit(limit).execute();
}

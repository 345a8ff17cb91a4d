// Reads of the feeds and the sitemap. Both are read by machines without a session, so they
// show what a guest sees (visibleThreads with no viewer).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { readableCategoryIds } from '../access/categories.ts';
import { publicPost } from '../access/posts.ts';
import { visibleThreads } from '../access/threads.ts';

/**
 * The latest threads by last activity, as the home and category pages list them (and on the
 * same indexes), each with its first post for the description.
 */
export function feedThreads(db: Db, limit: number, categoryId?: number) {
  return visibleThreads(db, null)
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    // A listed thread's first post is public (a thread follows its first post); said again here
    // so that a feed can never carry the words of a post that is not.
    .leftJoin('posts as p', (j) =>
      j.onRef('p.thread_id', '=', 't.id').on('p.post_number', '=', 1).on(publicPost),
    )
    .select(['t.id', 't.title', 't.slug', 't.created_at', 't.last_post_at', 'c.name as category_name', 'u.username', 'p.cooked'])
    .$if(categoryId !== undefined, (q) => q.where('t.category_id', '=', categoryId!))
    .orderBy('t.last_post_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .execute();
}

/** Categories with their last activity, each read from the category's latest-thread index. */
export function sitemapCategories(db: Db) {
  return db
    .selectFrom('categories as c')
    .where('c.id', 'in', readableCategoryIds(db, null))
    .select([
      'c.slug',
      visibleThreads(db, null)
        .select('t.last_post_at')
        .where('t.category_id', '=', sql.ref<number>('c.id'))
        .orderBy('t.last_post_at', 'desc')
        .limit(1)
        .as('last_post_at'),
    ])
    .orderBy('c.position')
    .orderBy('c.id')
    .execute();
}

/**
 * Up to `max` threads by last activity, read `batch` at a time by keyset on (last_post_at, id):
 * each batch is a short walk down the latest-threads index, and no query holds them all.
 */
export async function* sitemapThreads(db: Db, max: number, batch = 5000) {
  let after: { at: Date; id: number } | undefined;
  for (let left = max; left > 0; ) {
    const size = Math.min(batch, left);
    const rows = await visibleThreads(db, null)
      .select(['t.id', 't.slug', 't.last_post_at'])
      .$if(after !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb('t.last_post_at', '<', after!.at), eb.and([eb('t.last_post_at', '=', after!.at), eb('t.id', '<', after!.id)])]),
        ),
      )
      .orderBy('t.last_post_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(size)
      .execute();
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < size) return;
    left -= rows.length;
    after = { at: last.last_post_at, id: last.id };
  }
}

import { sql, type Kysely } from 'kysely';

// Posts written before search existed get their vectors, the first post of each thread with
// its title, as the triggers of 0008_search would have made them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update posts p
    set search_vector = post_search_vector(case when p.post_number = 1 then t.title end, p.raw)
    from threads t
    where t.id = p.thread_id
  `.execute(db);
}

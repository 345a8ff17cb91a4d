import { sql, type Kysely } from 'kysely';

// Members' and tags' counts, counted once from the rows as 0026_public_counts.ts keeps them from
// here on: what is public in a category open to all. They counted restricted categories too until
// now (and tags were counted by the app). Only rows that differ are written, so running it again
// is cheap.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update users u set post_count = x.posts, thread_count = x.threads
    from (
      select m.id, coalesce(p.n, 0) as posts, coalesce(t.n, 0) as threads
      from users m
      left join (
        select p.user_id, count(*)::int as n
        from posts p join threads t on t.id = p.thread_id join categories c on c.id = t.category_id
        where p.deleted_at is null and p.hidden_at is null and p.pending_at is null
          and t.deleted_at is null and t.hidden_at is null and t.pending_at is null
          and c.read_role is null and c.read_rank = 0
        group by p.user_id
      ) p on p.user_id = m.id
      left join (
        select t.user_id, count(*)::int as n
        from threads t join categories c on c.id = t.category_id
        where t.deleted_at is null and t.hidden_at is null and t.pending_at is null
          and c.read_role is null and c.read_rank = 0
        group by t.user_id
      ) t on t.user_id = m.id
    ) x
    where u.id = x.id and (u.post_count, u.thread_count) is distinct from (x.posts, x.threads)`.execute(db);

  await sql`
    update tags g set thread_count = x.threads
    from (
      select g.id, coalesce(t.n, 0) as threads
      from tags g
      left join (
        select tt.tag_id, count(*)::int as n
        from thread_tags tt join threads t on t.id = tt.thread_id join categories c on c.id = t.category_id
        where t.deleted_at is null and t.hidden_at is null and t.pending_at is null
          and c.read_role is null and c.read_rank = 0
        group by tt.tag_id
      ) t on t.tag_id = g.id
    ) x
    where g.id = x.id and g.thread_count is distinct from x.threads`.execute(db);
}

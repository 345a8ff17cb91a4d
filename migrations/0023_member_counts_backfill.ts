import { sql, type Kysely } from 'kysely';

// Every member's public threads and posts, counted once from the rows (0023_member_counts.ts
// keeps them from here on). Only rows that differ are written, so running it again is cheap.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update users u set post_count = x.posts, thread_count = x.threads
    from (
      select m.id, coalesce(p.n, 0) as posts, coalesce(t.n, 0) as threads
      from users m
      left join (
        select p.user_id, count(*)::int as n
        from posts p join threads t on t.id = p.thread_id
        where p.deleted_at is null and p.hidden_at is null and p.pending_at is null
          and t.deleted_at is null and t.hidden_at is null and t.pending_at is null
        group by p.user_id
      ) p on p.user_id = m.id
      left join (
        select user_id, count(*)::int as n from threads
        where deleted_at is null and hidden_at is null and pending_at is null
        group by user_id
      ) t on t.user_id = m.id
    ) x
    where u.id = x.id and (u.post_count, u.thread_count) is distinct from (x.posts, x.threads)`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// A member's gains from votes on the current UTC day, kept on their row beside their total:
// the daily cap (server/reputation/rules.ts) is decided against them. A write that moves
// reputation locks the members' rows first; read from the locked row, the day's gains are its
// newest version, even when the lock waited on another vote, in the same statement as the lock
// of the post voted on. Summed from the ledger instead, in that statement they would be read as
// of before the wait, missing the gains of the write that held the lock.
// `vote_gains_on` is the day they count for; on another day they count as none.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column vote_gains integer not null default 0, add column vote_gains_on date`.execute(db);
  // Today's gains so far, from the ledger, as the sum the cap was decided against until now.
  await sql`
    update users u set vote_gains = g.points, vote_gains_on = g.day
    from (
      select user_id, sum(points)::int as points, (now() at time zone 'utc')::date as day
      from reputation_events
      where kind in ('answer_upvoted', 'question_upvoted') and reverses is null
        and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'
      group by user_id
    ) g
    where u.id = g.user_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column vote_gains_on, drop column vote_gains`.execute(db);
}

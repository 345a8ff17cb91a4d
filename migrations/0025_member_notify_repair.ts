import { sql, type Kysely } from 'kysely';

// 0024_member_notify was rewritten after it landed, twice, and 0023 was added after it: a
// database migrated in between keeps what 0024 made then. As it first landed (80ba6b6) it
// announced read marks, watches and likes as user:<id>, and any change to a member's row but its
// last_seen_at; the second version (063aa1c, with 0023) left the counts of 0023 out of the
// latter; the third (e79164b) announces read marks, watches and likes as reads:<id>. Kysely
// records a migration by name only, so no database knows which one it ran.
//
// This makes every 0024 object what today's 0024 makes, whichever version ran: the function, and
// each of its triggers (the same names in every version, so nothing is left over to drop). The
// function body is 0024's to the character, so that it reads back the same as on a fresh
// database. What 0023 makes is never missing here: a database that ran 0024 before 0023 existed
// runs 0023 first, late (server/db/index.ts migrate), then this.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function hearth_notify_members() returns trigger language plpgsql as $$
    declare
      r record;
      scope text;
    begin
      if tg_table_name = 'queue_items' then
        perform pg_notify('hearth_pages', 'queue');
        return null;
      end if;
      if tg_op = 'DELETE' then r := old; else r := new; end if;
      if tg_table_name = 'users' then
        perform pg_notify('hearth_pages', 'user:' || r.id);
      elsif tg_table_name in ('posts', 'threads') then
        perform pg_notify('hearth_pages', 'viewers');
      else
        if tg_table_name in ('sessions', 'notifications') then scope := 'user:'; else scope := 'reads:'; end if;
        -- A row can change hands (a session signed out keeps its row): both members hear.
        if tg_op <> 'INSERT' and old.user_id is not null then
          perform pg_notify('hearth_pages', scope || old.user_id);
        end if;
        if tg_op <> 'DELETE' and new.user_id is not null then
          perform pg_notify('hearth_pages', scope || new.user_id);
        end if;
      end if;
      return null;
    end $$`.execute(db);

  for (const table of ['sessions', 'notifications', 'thread_reads', 'thread_watches', 'post_likes']) {
    await sql`create or replace trigger ${sql.raw(table)}_notify_members after insert or update or delete on ${sql.table(table)}
      for each row execute function hearth_notify_members()`.execute(db);
  }
  await sql`create or replace trigger users_notify_members after update on users
    for each row when ((to_jsonb(old) - 'last_seen_at' - 'post_count' - 'thread_count')
      is distinct from (to_jsonb(new) - 'last_seen_at' - 'post_count' - 'thread_count'))
    execute function hearth_notify_members()`.execute(db);
  await sql`create or replace trigger users_delete_notify_members after delete on users
    for each row execute function hearth_notify_members()`.execute(db);
  await sql`create or replace trigger queue_items_notify_members after insert or update or delete on queue_items
    for each statement execute function hearth_notify_members()`.execute(db);
  for (const table of ['posts', 'threads']) {
    await sql`create or replace trigger ${sql.raw(table)}_visibility_notify_members after update on ${sql.table(table)}
      for each row when (old.deleted_at is distinct from new.deleted_at or old.hidden_at is distinct from new.hidden_at
        or old.pending_at is distinct from new.pending_at)
      execute function hearth_notify_members()`.execute(db);
    await sql`create or replace trigger ${sql.raw(table)}_delete_notify_members after delete on ${sql.table(table)}
      for each row execute function hearth_notify_members()`.execute(db);
  }
}

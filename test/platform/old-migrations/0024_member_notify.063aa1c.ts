// migrations/0024_member_notify.ts as it was in commit 063aa1c, kept verbatim below this line so that the history
// test can replay a database migrated then (test/platform/migration-history.test.ts).
import { sql, type Kysely } from 'kysely';

// What each app process keeps about a signed-in member — their session with its unread and
// queue counts, their read position, watch level and likes on a thread page — is announced on
// the page channel (migrations/0015) when it changes, as pages are:
// - user:<id>     their account, sessions, notifications, read marks, watches or likes changed;
// - queue         the moderation queue changed (moderators' count);
// - viewers       a post or thread became visible or invisible: whose unread notifications
//                 count may change is not worth working out, so every member's is read again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function hearth_notify_members() returns trigger language plpgsql as $$
    declare
      r record;
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
        -- A row can change hands (a session signed out keeps its row): both members hear.
        if tg_op <> 'INSERT' and old.user_id is not null then
          perform pg_notify('hearth_pages', 'user:' || old.user_id);
        end if;
        if tg_op <> 'DELETE' and new.user_id is not null then
          perform pg_notify('hearth_pages', 'user:' || new.user_id);
        end if;
      end if;
      return null;
    end $$`.execute(db);

  for (const table of ['sessions', 'notifications', 'thread_reads', 'thread_watches', 'post_likes']) {
    await sql`create trigger ${sql.raw(table)}_notify_members after insert or update or delete on ${sql.table(table)}
      for each row execute function hearth_notify_members()`.execute(db);
  }
  // Signing in stamps last_seen_at, and posting moves the member's counts (migrations/0023):
  // nothing kept of a member shows them.
  await sql`create trigger users_notify_members after update on users
    for each row when ((to_jsonb(old) - 'last_seen_at' - 'post_count' - 'thread_count')
      is distinct from (to_jsonb(new) - 'last_seen_at' - 'post_count' - 'thread_count'))
    execute function hearth_notify_members()`.execute(db);
  await sql`create trigger users_delete_notify_members after delete on users
    for each row execute function hearth_notify_members()`.execute(db);
  await sql`create trigger queue_items_notify_members after insert or update or delete on queue_items
    for each statement execute function hearth_notify_members()`.execute(db);
  for (const table of ['posts', 'threads']) {
    await sql`create trigger ${sql.raw(table)}_visibility_notify_members after update on ${sql.table(table)}
      for each row when (old.deleted_at is distinct from new.deleted_at or old.hidden_at is distinct from new.hidden_at
        or old.pending_at is distinct from new.pending_at)
      execute function hearth_notify_members()`.execute(db);
    await sql`create trigger ${sql.raw(table)}_delete_notify_members after delete on ${sql.table(table)}
      for each row execute function hearth_notify_members()`.execute(db);
  }
}

import { sql, type Kysely } from 'kysely';

// Every staff action, append-only: the database itself refuses to change or remove a line, so
// no bug and no one with the app's credentials can rewrite the record.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('actor_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull().check(sql`target_type in ('post', 'thread', 'user', 'queue_item', 'setting', 'watched_word', 'category', 'sanction', 'appeal', 'export')`))
    .addColumn('target_id', 'bigint')
    // What the target was called when the action was taken (a title, a username, a key).
    .addColumn('target_label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index staff_log_latest on staff_log (id desc)`.execute(db);
  await sql`create index staff_log_actor on staff_log (actor_id, id desc)`.execute(db);
  await sql`create index staff_log_target on staff_log (target_type, target_id, id desc)`.execute(db);
  await sql`create index staff_log_action on staff_log (action, id desc)`.execute(db);

  await sql`
    create function staff_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the staff log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger staff_log_append_only before update or delete on staff_log
    for each row execute function staff_log_append_only()`.execute(db);
}

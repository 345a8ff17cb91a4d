import { sql, type Kysely } from 'kysely';

// What the account page shows of a member's sessions and sign-ins (server/account).
//
// A session row gains a public handle, the one that names it in the page's forms: the row's id is
// the secret the cookie carries, never shown. It also keeps the browser and address it was signed
// in from, and when it was last seen: stamped at most once every few minutes
// (server/sessions/last-seen.ts), and not announced. The sessions trigger of migrations/0024
// announces user:<id> on any change to a row, which makes every process read that member's kept
// session again (server/cache/sessions.ts); the last-seen stamp changes nothing a kept session
// carries, so the trigger is split: inserts and deletes are announced as before, an update only
// when something other than last_seen_at changed.
//
// Sign-ins are a short history (the member's own record of where their account was opened from):
// the daily sign_ins_sweep (server/jobs) removes those older than its bound (server/account/queries.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sessions
    add column handle uuid not null default gen_random_uuid(),
    add column user_agent text check (length(user_agent) <= 1000),
    add column address text check (length(address) <= 100),
    add column last_seen_at timestamptz not null default now()`.execute(db);
  await sql`create unique index sessions_handle on sessions (handle)`.execute(db);

  await sql`create or replace trigger sessions_notify_members after insert or delete on sessions
    for each row execute function hearth_notify_members()`.execute(db);
  await sql`create trigger sessions_update_notify_members after update on sessions
    for each row when ((to_jsonb(old) - 'last_seen_at') is distinct from (to_jsonb(new) - 'last_seen_at'))
    execute function hearth_notify_members()`.execute(db);

  await db.schema
    .createTable('sign_ins')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('address', 'text', (c) => c.notNull().check(sql`length(address) <= 100`))
    .addColumn('user_agent', 'text', (c) => c.check(sql`length(user_agent) <= 1000`))
    .execute();
  await db.schema.createIndex('sign_ins_user_at').on('sign_ins').columns(['user_id', 'at desc']).execute();
  // The sweep deletes by age alone.
  await db.schema.createIndex('sign_ins_at').on('sign_ins').column('at').execute();
}

import { sql, type Kysely } from 'kysely';

// Settings and watched words are read on every post, so each app process keeps them in memory;
// a change announces itself (scope `moderation` on the page channel, migrations/0015) and every
// process reads them again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function hearth_notify_moderation() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hearth_pages', 'moderation');
      return null;
    end $$`.execute(db);
  for (const table of ['settings', 'watched_words']) {
    await sql`create trigger ${sql.raw(table)}_notify_moderation after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function hearth_notify_moderation()`.execute(db);
  }
}

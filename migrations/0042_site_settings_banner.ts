import { sql, type Kysely } from 'kysely';

// The site's own settings and its banner (server/site).
//
// Every page's layout shows the site's name, and every page may show the banner, so a change of
// either concerns every page kept in any process: it announces `site` (what each process's copy
// of the site's settings and banner is kept under, server/site/site.ts) and `all` (every kept
// page, as a category's change does, migrations/0015). Only the settings the pages show are
// announced so: a moderation threshold changing still announces `moderation` alone (0021).
//
// One banner at a time: the newest one not removed. A member who dismisses it is remembered on
// their row (users.dismissed_banner_id), which their session loads with them
// (server/sessions/store.ts); a new banner has a new id, so it shows again to everyone.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('banners')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(body) between 1 and 2000`))
    .addColumn('body_cooked', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz')
    .addColumn('created_by', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_by', 'bigint', (c) => c.references('users.id'))
    .execute();
  // The banner in force is the newest one not removed.
  await sql`create index banners_current on banners (id desc) where removed_at is null`.execute(db);

  await db.schema
    .alterTable('users')
    .addColumn('dismissed_banner_id', 'bigint', (c) => c.references('banners.id').onDelete('set null'))
    .execute();

  await sql`
    create function hearth_notify_site() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hearth_pages', 'site,all');
      return null;
    end $$`.execute(db);
  await sql`create trigger banners_notify_site after insert or update or delete on banners
    for each statement execute function hearth_notify_site()`.execute(db);
  // The settings the pages show: the layout's name, description and logo, the guidelines page,
  // the staff mark on posts, and the registration link that follows who may register.
  for (const [name, row] of [['insert_update', 'new'], ['delete', 'old']] as const) {
    const op = name === 'delete' ? 'delete' : 'insert or update';
    await sql`create trigger ${sql.raw(`settings_${name}_notify_site`)} after ${sql.raw(op)} on settings
      for each row when (${sql.raw(row)}.key in ('site_name', 'site_description', 'logo_url', 'guidelines', 'brand_label', 'registration_mode'))
      execute function hearth_notify_site()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger settings_insert_update_notify_site on settings`.execute(db);
  await sql`drop trigger settings_delete_notify_site on settings`.execute(db);
  await sql`drop trigger banners_notify_site on banners`.execute(db);
  await sql`drop function hearth_notify_site()`.execute(db);
  await db.schema.alterTable('users').dropColumn('dismissed_banner_id').execute();
  await db.schema.dropTable('banners').execute();
}

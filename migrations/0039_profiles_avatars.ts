import { sql, type Kysely } from 'kysely';

// A member's profile: a display name, a bio (`bio` stays its markdown source, as it was, and
// `bio_cooked` its HTML, cooked and sanitised once when saved, like a post), a location and a
// website; and an uploaded avatar, named by the hash its images are kept under (none: the letter
// avatar drawn from the name). Empty strings rather than nulls: a field left blank is blank.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo('').check(sql`length(display_name) <= 50`))
    .addColumn('bio_cooked', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('location', 'text', (c) => c.notNull().defaultTo('').check(sql`length(location) <= 100`))
    .addColumn('website', 'text', (c) => c.notNull().defaultTo('').check(sql`website = '' or website ~* '^https?://'`))
    .addColumn('avatar', 'text', (c) => c.check(sql`avatar ~ '^[0-9a-f]{40}$'`))
    .execute();

  // What a post shows of its author now includes the display name and the avatar: a kept thread
  // page follows them too (migrations/0031 announced author:<id> for the rank and the name only).
  // The trigger is replaced, not edited; hearth_notify_author() stays as it was.
  await sql`drop trigger users_notify_author on users`.execute(db);
  await sql`create trigger users_notify_author after update of rank, username, display_name, avatar on users
    for each row when (old.rank is distinct from new.rank or old.username is distinct from new.username
      or old.display_name is distinct from new.display_name or old.avatar is distinct from new.avatar)
    execute function hearth_notify_author()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger users_notify_author on users`.execute(db);
  await sql`create trigger users_notify_author after update of rank, username on users
    for each row when (old.rank is distinct from new.rank or old.username is distinct from new.username)
    execute function hearth_notify_author()`.execute(db);
  await db.schema.alterTable('users').dropColumn('display_name').dropColumn('bio_cooked').dropColumn('location').dropColumn('website').dropColumn('avatar').execute();
}

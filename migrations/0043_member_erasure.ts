import { sql, type Kysely } from 'kysely';

// Deleting a member, and finding one.
//
// A deleted member keeps their row, scrubbed: the username becomes `deleted-<id>` (unique, and
// within the username's shape), the email `deleted-<id>@deleted.invalid`, the password a hash of
// random bytes nobody knows, the profile and avatar empty, the display name "deleted member",
// and `deleted_at` says when. Their posts, votes, likes, flags and the staff log's lines keep
// pointing at it, so that every foreign key, count, score and reputation total holds without a
// rewrite of other rows; the alternative, moving their posts to one shared placeholder member,
// would rewrite every post (and the counts kept on both members) and make one member of many
// people's words. A row updated this way is announced as any change of a member is
// (users_notify_members, users_notify_author): kept pages and sessions hear of it.
//
// The admin's member search matches a part of the username or the email, whatever the case. A
// trigram index (pg_trgm, one of the extensions that ship with PostgreSQL and that a database
// owner may create, managed services included) answers `like '%part%'` without reading every
// member; the btree indexes of migrations/0001 on lower(username) and lower(email) give the order
// the pages are read in. Neither names a column a vote or a like changes, so those updates stay
// in place (migrations/0040).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('deleted_at', 'timestamptz').execute();
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index users_username_trgm on users using gin (lower(username) gin_trgm_ops)`.execute(db);
  await sql`create index users_email_trgm on users using gin (lower(email) gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index users_email_trgm`.execute(db);
  await sql`drop index users_username_trgm`.execute(db);
  await db.schema.alterTable('users').dropColumn('deleted_at').execute();
}

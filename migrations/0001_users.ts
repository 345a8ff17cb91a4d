import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().defaultTo('member').check(sql`role in ('member', 'moderator', 'staff', 'admin')`),
    )
    .addColumn('rank', 'smallint', (c) => c.notNull().defaultTo(0).check(sql`rank between 0 and 4`))
    .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz')
    .addCheckConstraint('users_username_shape', sql`username ~ '^[A-Za-z0-9_-]{3,20}$'`)
    .execute();
  // Usernames and emails are unique whatever their case; lookups use the same expressions.
  await sql`create unique index users_username_key on users (lower(username))`.execute(db);
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);
}

import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('mention', 'reply', 'watching')`))
    .addColumn('thread_id', 'bigint', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('actor_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    // One notification per member and post, whatever the reasons (a mention beats a reply).
    .addUniqueConstraint('notifications_user_post', ['user_id', 'post_id'])
    .execute();
  await sql`create index notifications_user_latest on notifications (user_id, id desc)`.execute(db);
  // The unread count is read on every signed-in page: a small partial index answers it.
  await sql`create index notifications_unread on notifications (user_id) where read_at is null`.execute(db);

  for (const [table, target, ref] of [
    ['thread_watches', 'thread_id', 'threads.id'],
    ['category_watches', 'category_id', 'categories.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn(target, 'bigint', (c) => c.notNull().references(ref).onDelete('cascade'))
      .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('watching', 'muted')`))
      .addPrimaryKeyConstraint(`${table}_pkey`, ['user_id', target])
      .execute();
    await db.schema.createIndex(`${table}_${target}`).on(table).columns([target, 'level']).execute();
  }
}

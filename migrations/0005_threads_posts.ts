import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('threads')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('category_id', 'bigint', (c) => c.notNull().references('categories.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('discussion')
        .check(sql`kind in ('discussion', 'question', 'idea', 'event', 'announcement')`),
    )
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('view_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_post_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_post_user_id', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  // Lists order by last activity, newest first, paged by keyset on (last_post_at, id).
  await sql`create index threads_latest on threads (last_post_at desc, id desc) where deleted_at is null`.execute(db);
  await sql`create index threads_category_latest on threads (category_id, last_post_at desc, id desc) where deleted_at is null`.execute(db);
  await db.schema.createIndex('threads_user_id').on('threads').column('user_id').execute();

  await db.schema
    .createTable('posts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) => c.notNull().references('threads.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('post_number', 'integer', (c) => c.notNull().check(sql`post_number >= 1`))
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('cooked', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('posts_thread_number', ['thread_id', 'post_number'])
    .execute();
  await db.schema.createIndex('posts_user_id').on('posts').columns(['user_id', 'created_at']).execute();
}

import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('posts').addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('post_likes')
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('post_likes_pkey', ['post_id', 'user_id'])
    .execute();
  await db.schema.createIndex('post_likes_user_id').on('post_likes').columns(['user_id', 'created_at']).execute();
}

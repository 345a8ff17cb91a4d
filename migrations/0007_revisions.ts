import { sql, type Kysely } from 'kysely';

// Edits keep revisions; deletion is soft. A thread's next post number comes from its own
// counter, so that reply_count can drop when a reply is deleted without reusing numbers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('last_post_number', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('deleted_by', 'bigint', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .alterTable('posts')
    .addColumn('edit_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted_by', 'bigint', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createTable('post_revisions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    // What the post (and, for a first post, the thread title) said before this edit.
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('edited_by', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('post_revisions_post_number', ['post_id', 'number'])
    .execute();
}

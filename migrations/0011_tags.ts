import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tags')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique().check(sql`name ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(name) <= 30`))
    .addColumn('thread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('thread_tags')
    .addColumn('thread_id', 'bigint', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('tag_id', 'bigint', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('thread_tags_pkey', ['thread_id', 'tag_id'])
    .execute();
  // /tag/:name lists a tag's threads: from the tag to its threads.
  await db.schema.createIndex('thread_tags_tag_id').on('thread_tags').columns(['tag_id', 'thread_id']).execute();
}

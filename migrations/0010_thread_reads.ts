import { sql, type Kysely } from 'kysely';

// How far each member has read each thread, by post number.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('thread_reads')
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('thread_id', 'bigint', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('last_read_post_number', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('thread_reads_pkey', ['user_id', 'thread_id'])
    .execute();
}

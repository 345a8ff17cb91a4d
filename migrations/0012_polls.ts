import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('polls')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) => c.notNull().unique().references('threads.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull().check(sql`length(question) between 1 and 200`))
    .addColumn('multiple', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('closes_at', 'timestamptz')
    .addColumn('voter_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('poll_options')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('position', 'smallint', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull().check(sql`length(label) between 1 and 100`))
    .addColumn('vote_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('poll_options_position', ['poll_id', 'position'])
    .execute();
  // One ballot per member and poll; a ballot marks one or (multiple choice) several options.
  await db.schema
    .createTable('poll_ballots')
    .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('poll_ballots_pkey', ['poll_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('poll_votes')
    .addColumn('option_id', 'bigint', (c) => c.notNull().references('poll_options.id').onDelete('cascade'))
    .addColumn('poll_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_votes_pkey', ['option_id', 'user_id'])
    .addForeignKeyConstraint('poll_votes_ballot', ['poll_id', 'user_id'], 'poll_ballots', ['poll_id', 'user_id'], (fk) => fk.onDelete('cascade'))
    .execute();
}

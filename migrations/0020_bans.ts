import type { Kysely } from 'kysely';

// A ban has no end, so it cannot be mirrored as a date in users.suspended_until ('infinity'
// would reach JavaScript as a number, not a Date). The member's row says since when they are
// banned; the sanctions table stays the record.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('banned_at', 'timestamptz').execute();
}

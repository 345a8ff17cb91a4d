import { sql, type Kysely } from 'kysely';

// Pinned threads come first (in their category, or across the community); locked threads take
// no replies.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('pinned_scope', 'text', (c) => c.check(sql`pinned_scope in ('category', 'global')`))
    .addColumn('pinned_at', 'timestamptz')
    .addColumn('pinned_until', 'timestamptz')
    .addColumn('locked_at', 'timestamptz')
    .addColumn('locked_by', 'bigint', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .alterTable('threads')
    .addCheckConstraint('threads_pin_complete', sql`(pinned_scope is null) = (pinned_at is null)`)
    .execute();
  // Few threads are pinned: a partial index finds them without touching the rest.
  await sql`create index threads_pinned on threads (category_id, pinned_at desc) where pinned_scope is not null and deleted_at is null`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// A thread closed as a duplicate of another: locked, and pointing at the thread that answers it,
// which its page links to. Closing one is a moderator's action and, from rank 4 (Ambassador), a
// member's. The pointer only stands while the thread is locked, so nothing shows a "duplicate
// of" link on a thread that takes replies again. A thread deleted from under its duplicates
// leaves them locked with no link (on delete set null clears the pointer, the lock stays).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table threads add column duplicate_of bigint references threads(id) on delete set null`.execute(db);
  await sql`alter table threads add constraint threads_duplicate_locked
    check (duplicate_of is null or (locked_at is not null and duplicate_of <> id))`.execute(db);
  // Few threads are duplicates; the foreign key's delete looks them up here rather than scanning threads.
  await sql`create index threads_duplicate_of on threads (duplicate_of) where duplicate_of is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index threads_duplicate_of`.execute(db);
  await sql`alter table threads drop constraint threads_duplicate_locked`.execute(db);
  await sql`alter table threads drop column duplicate_of`.execute(db);
}

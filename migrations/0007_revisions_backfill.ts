import { sql, type Kysely } from 'kysely';

// Threads that existed before deletion was possible have lost no post: their last post
// number is their reply count + 1.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update threads set last_post_number = reply_count + 1`.execute(db);
}

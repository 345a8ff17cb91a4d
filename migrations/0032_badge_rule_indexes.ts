import { sql, type Kysely } from 'kysely';

// What the per-post badge rules look for among a member's posts: the few with 10 likes or more
// (Nice, Good and Great post) and the few with a score of 10 or more (Good and Great answer,
// Good question). The minute job asks it for every member whose facts moved, and an active
// member has thousands of posts, nearly all below either line; these partial indexes hold only
// the posts above it, so the rules read those instead of every post the member wrote.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index posts_liked_by_author on posts (user_id) where like_count >= 10`.execute(db);
  await sql`create index posts_scored_by_author on posts (user_id) where score >= 10`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index posts_scored_by_author`.execute(db);
  await sql`drop index posts_liked_by_author`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// A vote can earn its post's author one kind of badge only: a score badge (server/badges/
// definitions.ts, scoreReached), whose lowest bar is a score of 10 (LOWEST_SCORE_BAR there). Ranks
// count no votes. Yet every vote marked the author due (migrations/0029), and the minute job then
// ran every badge rule for each: in the bench, as much of the database's time again as the votes
// themselves, for nothing. So the post's score moving up to the bar or above marks its author due
// now, and a vote that leaves the score below it marks no one. The trigger's number is the lowest
// bar's, which a test holds it to.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger post_votes_badge_due on post_votes`.execute(db);
  // badge_due_mark's branch for posts marks new.user_id, the post's author.
  await sql`create trigger posts_score_badge_due after update of score on posts
    for each row when (new.score >= 10 and new.score > old.score)
    execute function badge_due_mark()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger posts_score_badge_due on posts`.execute(db);
  await sql`create trigger post_votes_badge_due after insert or update on post_votes for each row execute function badge_due_mark()`.execute(db);
}

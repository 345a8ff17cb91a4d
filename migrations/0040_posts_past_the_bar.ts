import { sql, type Kysely } from 'kysely';

// A vote changes its post's score, a like its like count, and the author's reputation: one row
// of posts and one or two of users. PostgreSQL writes such a change in place on the row's page
// (a "HOT" update, no index touched) only when no indexed column changed and the page has room.
// Two things stood in the way, and every vote and like wrote a new entry into each of the posts'
// five indexes, its search index among them, and each user's three:
//
// - The partial indexes of migrations/0032 name score and like_count in their predicates, which
//   counts as indexing them. They go, and the posts past either bar (a score or a like count of
//   10, the lowest any badge asks for; server/badges/definitions.ts holds its rules to it) are
//   listed in a small table of their own, written by a trigger on the update that takes a post
//   past the bar: the per-post badge rules start from it, as they started from those indexes.
// - A table filled to the brim leaves no room on a page. posts and users keep a tenth and a fifth
//   of each page free from now on (fillfactor), for the new version of a row written next to it;
//   pages written before keep what they have until autovacuum frees the room of old versions.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table posts_past_bar (
    post_id bigint primary key references posts (id) on delete cascade,
    user_id bigint not null
  )`.execute(db);
  await sql`create index posts_past_bar_user on posts_past_bar (user_id)`.execute(db);
  await sql`insert into posts_past_bar (post_id, user_id)
    select id, user_id from posts where score >= 10 or like_count >= 10`.execute(db);
  // A post past the bar stays listed (the rules read its score and likes as they are now); its
  // author's id follows the post's, for a post moved to another member.
  await sql`create function posts_past_bar_keep() returns trigger language plpgsql as $$
    begin
      insert into posts_past_bar (post_id, user_id) values (new.id, new.user_id)
        on conflict (post_id) do update set user_id = excluded.user_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger posts_past_bar after update of score, like_count, user_id on posts
    for each row when ((new.score >= 10 or new.like_count >= 10)
      and (old.score < 10 and old.like_count < 10 or new.user_id <> old.user_id))
    execute function posts_past_bar_keep()`.execute(db);
  await sql`drop index posts_scored_by_author`.execute(db);
  await sql`drop index posts_liked_by_author`.execute(db);
  await sql`alter table posts set (fillfactor = 90)`.execute(db);
  await sql`alter table users set (fillfactor = 80)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users reset (fillfactor)`.execute(db);
  await sql`alter table posts reset (fillfactor)`.execute(db);
  await sql`create index posts_liked_by_author on posts (user_id) where like_count >= 10`.execute(db);
  await sql`create index posts_scored_by_author on posts (user_id) where score >= 10`.execute(db);
  await sql`drop trigger posts_past_bar on posts`.execute(db);
  await sql`drop function posts_past_bar_keep()`.execute(db);
  await sql`drop table posts_past_bar`.execute(db);
}

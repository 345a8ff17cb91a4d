import { sql, type Kysely } from 'kysely';

// Full-text search: one weighted tsvector per post and a GIN index over it. A first post's
// vector carries its thread's title (weight A) before its text (weight B), so a title match
// outranks a match in the text and one index scan answers every search.
//
// A generated column cannot read threads.title, so triggers keep the vector: one on posts
// when a post's text or place changes, one on threads when a title changes (an edit of a
// first post), which rewrites that thread's first post only. A separate vector on threads
// joined at query time would need a second index and an OR across two tables in every search.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('posts').addColumn('search_vector', sql`tsvector`).execute();

  // Posts are markdown, where "<div>" is text; PostgreSQL's parser would take it for an HTML
  // tag and leave it out, so '<' is read as a space. Snippets (ts_headline) read the text the
  // same way (server/search/queries.ts).
  await sql`
    create function post_search_vector(title text, body text) returns tsvector
    language sql immutable parallel safe
    return setweight(to_tsvector('english', translate(coalesce(title, ''), '<', ' ')), 'A')
        || setweight(to_tsvector('english', translate(body, '<', ' ')), 'B')
  `.execute(db);

  await sql`
    create function posts_search_vector() returns trigger language plpgsql as $$
    begin
      new.search_vector := post_search_vector(
        case when new.post_number = 1 then (select title from threads where id = new.thread_id) end,
        new.raw);
      return new;
    end
    $$
  `.execute(db);
  await sql`
    create trigger posts_search_vector before insert or update of raw, post_number, thread_id on posts
    for each row execute function posts_search_vector()
  `.execute(db);

  // Sets search_vector alone, so the trigger above does not run again for the same row.
  await sql`
    create function threads_search_title() returns trigger language plpgsql as $$
    begin
      update posts set search_vector = post_search_vector(new.title, raw)
      where thread_id = new.id and post_number = 1;
      return null;
    end
    $$
  `.execute(db);
  await sql`
    create trigger threads_search_title after update of title on threads
    for each row when (old.title is distinct from new.title) execute function threads_search_title()
  `.execute(db);

  await sql`create index posts_search on posts using gin (search_vector)`.execute(db);
}

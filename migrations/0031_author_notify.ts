import { sql, type Kysely } from 'kysely';

// A post shows its author's name and rank (server/threads/queries.ts postColumns), and the pages
// kept of a thread (guests' pages, the page plain members share) depend on them. A member's row
// changing announces only user:<id> (migrations/0024), which is about their own session and
// which every notification to them announces too: far too often for a thread page to follow.
// So a change of what a post shows of its author announces author:<id>, and a kept thread page
// is read under the author:<id> of every author on it (server/threads/member-page.ts,
// reply.dependsOn in server/views/index.ts). Announcing each thread the member ever posted in
// instead would be one notification per thread, unbounded for a prolific member, while a rank
// or a name changes seldom and a page shows at most a page of authors.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function hearth_notify_author() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hearth_pages', 'author:' || new.id);
      return null;
    end $$`.execute(db);
  await sql`create trigger users_notify_author after update of rank, username on users
    for each row when (old.rank is distinct from new.rank or old.username is distinct from new.username)
    execute function hearth_notify_author()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger users_notify_author on users`.execute(db);
  await sql`drop function hearth_notify_author()`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Every write that changes what a guest page shows announces the pages it touches on the
// `hearth_pages` channel, after it commits. Each app process listens and drops its cached copies
// of those pages (server/views/page-cache.ts). Scopes: thread:<id>, category:<slug>, home —
// categories by slug, as their pages are addressed, so a cached page is checked before any query;
// `all` (a category changed: its name, colour or who may read it) concerns every page.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function hearth_notify_pages() returns trigger language plpgsql as $$
    declare
      r record;
      scopes text;
    begin
      if tg_op = 'DELETE' then r := old; else r := new; end if;
      if tg_table_name = 'posts' then
        scopes := 'thread:' || r.thread_id;
      elsif tg_table_name = 'threads' then
        select 'thread:' || r.id || ',category:' || c.slug || ',home' into scopes from categories c where c.id = r.category_id;
        if tg_op = 'UPDATE' and new.category_id <> old.category_id then
          select scopes || ',category:' || c.slug into scopes from categories c where c.id = old.category_id;
        end if;
      elsif tg_table_name = 'categories' then
        -- A category's name, colour or access shows on its threads' pages too: all go.
        scopes := 'all';
      elsif tg_table_name = 'polls' then
        scopes := 'thread:' || r.thread_id;
      elsif tg_table_name = 'poll_options' then
        select 'thread:' || p.thread_id into scopes from polls p where p.id = r.poll_id;
      elsif tg_table_name = 'thread_tags' then
        select 'thread:' || t.id || ',category:' || c.slug || ',home' into scopes
          from threads t join categories c on c.id = t.category_id where t.id = r.thread_id;
      end if;
      if scopes is not null then
        perform pg_notify('hearth_pages', scopes);
      end if;
      return null;
    end $$`.execute(db);

  for (const table of ['posts', 'categories', 'polls', 'poll_options', 'thread_tags']) {
    await sql`create trigger ${sql.raw(table)}_notify_pages after insert or update or delete on ${sql.table(table)}
      for each row execute function hearth_notify_pages()`.execute(db);
  }
  // Thread views are counted in batches and shown on no guest page: they change nothing.
  await sql`create trigger threads_notify_pages after insert or delete on threads
    for each row execute function hearth_notify_pages()`.execute(db);
  await sql`create trigger threads_update_notify_pages after update on threads
    for each row when ((to_jsonb(old) - 'view_count') is distinct from (to_jsonb(new) - 'view_count'))
    execute function hearth_notify_pages()`.execute(db);
}

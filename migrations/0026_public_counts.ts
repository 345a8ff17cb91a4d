import { sql, type Kysely } from 'kysely';

// The counts everyone sees — a member's posts and threads on their profile (0023), a tag's
// threads on its page — count only what everyone may read: a public post in a public thread, or
// a public thread (listed or not: an unlisted one is still read at its address), in a category
// open to all, guests included (read_role null and read_rank 0, as canReadCategory(null, …) in
// server/permissions.ts says). A staff-only thread no longer shows on its author's profile, nor
// on its tags'.
//
// Triggers keep the three counts through every change of the three things they depend on: the
// post (0023's trigger, redefined here), the thread, including moving it to another category
// (0023's, redefined, and one for tags), and the category's access. Tags were counted by the app
// until now; the triggers do it instead, so the app's own updates go. Each trigger adds what
// changed of its own part with the others as they are now, as 0023 explains; 0027 counts again
// from the rows once.
//
// An access change counts a whole category again, so it must see every post and thread written
// in it and none may come in meanwhile: it first takes the threads table in EXCLUSIVE mode, which
// waits for each transaction that has locked a thread (posting and tagging lock theirs, any
// change to a thread writes it) and keeps new ones waiting until it commits. So every count
// trigger reads a category's access only after its thread's row is locked, in a statement of its
// own (a statement sees what committed before it started). Nothing may lock a category before
// changing its access in the same transaction: a thread started in it at that moment would then
// wait for the category while holding the threads table.
/** Whether the row `r` (old, new, or an alias) is public: neither deleted, hidden nor held. */
const isPublic = (r: string) => sql.raw(`${r}.deleted_at is null and ${r}.hidden_at is null and ${r}.pending_at is null`);
/** Whether the category of id `id` (an expression) is open to all, guests included. */
const isOpen = (id: string) =>
  sql.raw(`exists (select 1 from categories c where c.id = ${id} and c.read_role is null and c.read_rank = 0)`);

export async function up(db: Kysely<any>): Promise<void> {
  // A post counts while it, its thread and its thread's category are open to all.
  await sql`
    create or replace function hearth_member_post_counts() returns trigger language plpgsql as $$
    declare
      counted_before boolean := false;
      counted_now boolean := false;
      category bigint;
    begin
      if tg_op <> 'INSERT' and ${isPublic('old')} then
        select ${isPublic('t')}, t.category_id into counted_before, category
          from threads t where t.id = old.thread_id for no key update;
        if counted_before then
          counted_before := ${isOpen('category')};
        end if;
      end if;
      if tg_op <> 'DELETE' and ${isPublic('new')} then
        select ${isPublic('t')}, t.category_id into counted_now, category
          from threads t where t.id = new.thread_id for no key update;
        if counted_now then
          counted_now := ${isOpen('category')};
        end if;
      end if;
      if counted_before and counted_now and old.user_id = new.user_id then
        return null;
      end if;
      if counted_before then
        update users set post_count = post_count - 1 where id = old.user_id;
      end if;
      if counted_now then
        update users set post_count = post_count + 1 where id = new.user_id;
      end if;
      return null;
    end $$`.execute(db);

  // A thread enters or leaves its author's count, and its public posts their authors', when it
  // turns public or not, or moves between a category open to all and one that is not.
  await sql`
    create or replace function hearth_member_thread_counts() returns trigger language plpgsql as $$
    declare
      counted_before boolean := tg_op <> 'INSERT' and ${isPublic('old')};
      counted_now boolean := tg_op <> 'DELETE' and ${isPublic('new')};
      posts_move boolean;
    begin
      if counted_before then
        counted_before := ${isOpen('old.category_id')};
      end if;
      if counted_now then
        counted_now := ${isOpen('new.category_id')};
      end if;
      if counted_before and counted_now and old.user_id = new.user_id then
        return null;
      end if;
      posts_move := tg_op = 'UPDATE' and counted_before <> counted_now;
      perform 1 from users
        where id in (
          select old.user_id where counted_before
          union all select new.user_id where counted_now
          union all select p.user_id from posts p
            where posts_move and p.thread_id = new.id and ${isPublic('p')})
        order by id
        for no key update;
      if counted_before then
        update users set thread_count = thread_count - 1 where id = old.user_id;
      end if;
      if counted_now then
        update users set thread_count = thread_count + 1 where id = new.user_id;
      end if;
      if posts_move then
        update users u set post_count = u.post_count + case when counted_now then c.n else -c.n end
        from (select p.user_id, count(*)::int as n from posts p
              where p.thread_id = new.id and ${isPublic('p')}
              group by p.user_id) c
        where u.id = c.user_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create or replace trigger threads_member_counts_update
    after update of deleted_at, hidden_at, pending_at, user_id, category_id on threads
    for each row when (
      (${isPublic('old')})
        is distinct from (${isPublic('new')})
      or ((${isPublic('old')}) and (old.user_id <> new.user_id or old.category_id <> new.category_id)))
    execute function hearth_member_thread_counts()`.execute(db);

  // A tag counts its threads that are public in a category open to all: a thread entering or
  // leaving that moves each of its tags, and a tag put on or taken off such a thread moves that
  // tag. Tags are locked in id order, as tagging a thread takes them (server/threads/tags.ts), so
  // that two threads with tags in common changing at once cannot deadlock on them. A thread is
  // erased with its tags (on delete cascade), which are gone by the time an AFTER trigger runs:
  // its tags are counted down before it goes.
  await sql`
    create function hearth_tag_thread_counts() returns trigger language plpgsql as $$
    declare
      counted_before boolean := false;
      counted_now boolean := false;
      category bigint;
    begin
      if tg_table_name = 'threads' then
        if ${isPublic('old')} then
          counted_before := ${isOpen('old.category_id')};
        end if;
        if tg_op = 'UPDATE' and ${isPublic('new')} then
          counted_now := ${isOpen('new.category_id')};
        end if;
        if counted_before <> counted_now then
          perform 1 from tags where id in (select tag_id from thread_tags where thread_id = old.id)
            order by id for no key update;
          update tags set thread_count = thread_count + case when counted_now then 1 else -1 end
            where id in (select tag_id from thread_tags where thread_id = old.id);
        end if;
        -- Before a delete, the row to go on with; after an update, the answer is not read.
        return old;
      end if;

      if tg_op <> 'INSERT' then
        select ${isPublic('t')}, t.category_id into counted_before, category
          from threads t where t.id = old.thread_id for key share;
        -- Not found: the thread is being erased, and counted its tags down already.
        if found and counted_before then
          counted_before := ${isOpen('category')};
        else
          counted_before := false;
        end if;
      end if;
      if tg_op <> 'DELETE' then
        select ${isPublic('t')}, t.category_id into counted_now, category
          from threads t where t.id = new.thread_id for key share;
        if found and counted_now then
          counted_now := ${isOpen('category')};
        else
          counted_now := false;
        end if;
      end if;
      if counted_before then
        update tags set thread_count = thread_count - 1 where id = old.tag_id;
      end if;
      if counted_now then
        update tags set thread_count = thread_count + 1 where id = new.tag_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger threads_tag_counts_update
    after update of deleted_at, hidden_at, pending_at, category_id on threads
    for each row when (
      (${isPublic('old')})
        is distinct from (${isPublic('new')})
      or ((${isPublic('old')}) and old.category_id <> new.category_id))
    execute function hearth_tag_thread_counts()`.execute(db);
  await sql`create trigger threads_tag_counts_delete before delete on threads for each row
    when (${isPublic('old')})
    execute function hearth_tag_thread_counts()`.execute(db);
  await sql`create trigger thread_tags_counts after insert or update or delete on thread_tags
    for each row execute function hearth_tag_thread_counts()`.execute(db);

  // A category opened to all, or no longer, moves everything public in it: its threads' authors,
  // its public posts' authors and its threads' tags, each locked in id order.
  await sql`
    create function hearth_category_access_lock() returns trigger language plpgsql as $$
    begin
      lock table threads in exclusive mode;
      return null;
    end $$`.execute(db);
  await sql`create trigger categories_access_lock before update of read_role, read_rank on categories
    for each statement execute function hearth_category_access_lock()`.execute(db);
  await sql`
    create function hearth_category_access_counts() returns trigger language plpgsql as $$
    declare
      by_n integer := case when new.read_role is null and new.read_rank = 0 then 1 else -1 end;
    begin
      perform 1 from users
        where id in (
          select t.user_id from threads t where t.category_id = new.id and ${isPublic('t')}
          union select p.user_id from threads t join posts p on p.thread_id = t.id
            where t.category_id = new.id and ${isPublic('t')} and ${isPublic('p')})
        order by id
        for no key update;
      update users u set thread_count = u.thread_count + by_n * c.n
        from (select t.user_id, count(*)::int as n from threads t
              where t.category_id = new.id and ${isPublic('t')}
              group by t.user_id) c
        where u.id = c.user_id;
      update users u set post_count = u.post_count + by_n * c.n
        from (select p.user_id, count(*)::int as n from threads t join posts p on p.thread_id = t.id
              where t.category_id = new.id and ${isPublic('t')} and ${isPublic('p')}
              group by p.user_id) c
        where u.id = c.user_id;
      perform 1 from tags
        where id in (select tt.tag_id from threads t join thread_tags tt on tt.thread_id = t.id
                     where t.category_id = new.id and ${isPublic('t')})
        order by id
        for no key update;
      update tags g set thread_count = g.thread_count + by_n * c.n
        from (select tt.tag_id, count(*)::int as n from threads t join thread_tags tt on tt.thread_id = t.id
              where t.category_id = new.id and ${isPublic('t')}
              group by tt.tag_id) c
        where g.id = c.tag_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger categories_access_counts after update of read_role, read_rank on categories
    for each row when ((old.read_role is null and old.read_rank = 0) is distinct from (new.read_role is null and new.read_rank = 0))
    execute function hearth_category_access_counts()`.execute(db);
}

// migrations/0023_member_counts.ts as it was in commit 063aa1c, kept verbatim below this line so that the history
// test can replay a database migrated then (test/platform/migration-history.test.ts).
import { sql, type Kysely } from 'kysely';

// A member's public threads and posts, as the profile shows them, kept on their row: counting
// them on each view reads every post the member ever wrote (thousands for the busiest), and
// grows with the forum. A post counts while it and its thread are public (neither deleted,
// hidden nor held), as publicPost/publicThread in server/moderation/visibility.ts say; a thread
// counts while it is public. Triggers keep both exact through every path that changes them:
// posting (held or not), approval, hiding, deletion, and posts moving between threads.
//
// Each trigger adds what changed of f(rows as they are now) − f(rows as they were), so the
// counts stay right whatever order a transaction changes a post and its thread in (a first post
// and then its thread, say). One statement must not change both a post and its thread, though
// (a data-modifying CTE over both): each trigger would then read the other's new state.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users
    add column post_count integer not null default 0 constraint users_post_count_check check (post_count >= 0),
    add column thread_count integer not null default 0 constraint users_thread_count_check check (thread_count >= 0)`.execute(db);

  // A post enters or leaves its author's count. The thread's row is locked before its state is
  // read: a moderator hiding the thread at the same time then waits (or is waited for), and
  // counts this post in or out once, never twice. Every path that changes a post's visibility
  // takes that lock anyway (reply counts), so this adds no new wait, and keeps the lock order
  // thread → member that posting uses.
  await sql`
    create function hearth_member_post_counts() returns trigger language plpgsql as $$
    declare
      counted_before boolean := false;
      counted_now boolean := false;
    begin
      if tg_op <> 'INSERT' and old.deleted_at is null and old.hidden_at is null and old.pending_at is null then
        select t.deleted_at is null and t.hidden_at is null and t.pending_at is null into counted_before
          from threads t where t.id = old.thread_id for no key update;
      end if;
      if tg_op <> 'DELETE' and new.deleted_at is null and new.hidden_at is null and new.pending_at is null then
        select t.deleted_at is null and t.hidden_at is null and t.pending_at is null into counted_now
          from threads t where t.id = new.thread_id for no key update;
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
  // Only what can change a count fires it: likes, edits, flag scores and search vectors do not.
  await sql`create trigger posts_member_counts_insert after insert on posts for each row
    when (new.deleted_at is null and new.hidden_at is null and new.pending_at is null)
    execute function hearth_member_post_counts()`.execute(db);
  await sql`create trigger posts_member_counts_update after update of deleted_at, hidden_at, pending_at, user_id, thread_id on posts
    for each row when (
      (old.deleted_at is null and old.hidden_at is null and old.pending_at is null)
        is distinct from (new.deleted_at is null and new.hidden_at is null and new.pending_at is null)
      or ((old.deleted_at is null and old.hidden_at is null and old.pending_at is null)
          and (old.user_id <> new.user_id or old.thread_id <> new.thread_id)))
    execute function hearth_member_post_counts()`.execute(db);
  await sql`create trigger posts_member_counts_delete after delete on posts for each row
    when (old.deleted_at is null and old.hidden_at is null and old.pending_at is null)
    execute function hearth_member_post_counts()`.execute(db);

  // A thread enters or leaves its author's thread count, and its public posts their authors'
  // post counts. The members' rows are locked in id order first, so that two threads hidden or
  // shown at once with authors in common cannot deadlock on them. This costs one row update per
  // author in the thread (about 0.3 s for a thread of 3,600 posts by 3,300 members), paid by the
  // rare moderator action rather than by every profile view.
  await sql`
    create function hearth_member_thread_counts() returns trigger language plpgsql as $$
    declare
      counted_before boolean := tg_op <> 'INSERT' and old.deleted_at is null and old.hidden_at is null and old.pending_at is null;
      counted_now boolean := tg_op <> 'DELETE' and new.deleted_at is null and new.hidden_at is null and new.pending_at is null;
      posts_move boolean := tg_op = 'UPDATE' and counted_before <> counted_now;
    begin
      perform 1 from users
        where id in (
          select old.user_id where counted_before
          union all select new.user_id where counted_now
          union all select p.user_id from posts p
            where posts_move and p.thread_id = new.id and p.deleted_at is null and p.hidden_at is null and p.pending_at is null)
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
              where p.thread_id = new.id and p.deleted_at is null and p.hidden_at is null and p.pending_at is null
              group by p.user_id) c
        where u.id = c.user_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger threads_member_counts_insert after insert on threads for each row
    when (new.deleted_at is null and new.hidden_at is null and new.pending_at is null)
    execute function hearth_member_thread_counts()`.execute(db);
  await sql`create trigger threads_member_counts_update after update of deleted_at, hidden_at, pending_at, user_id on threads
    for each row when (
      (old.deleted_at is null and old.hidden_at is null and old.pending_at is null)
        is distinct from (new.deleted_at is null and new.hidden_at is null and new.pending_at is null)
      or ((old.deleted_at is null and old.hidden_at is null and old.pending_at is null) and old.user_id <> new.user_id))
    execute function hearth_member_thread_counts()`.execute(db);
  await sql`create trigger threads_member_counts_delete after delete on threads for each row
    when (old.deleted_at is null and old.hidden_at is null and old.pending_at is null)
    execute function hearth_member_thread_counts()`.execute(db);

  // The profile's recent threads: a member's listed threads, newest first, read from the top of
  // one index whatever their number (threads_user_id would fetch and sort them all).
  await sql`create index threads_user_listed on threads (user_id, created_at desc, id desc)
    where deleted_at is null and hidden_at is null and pending_at is null and unlisted_at is null`.execute(db);
}

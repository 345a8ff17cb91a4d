import { sql, type Kysely } from 'kysely';

// Brand staff in threads: pins in an order staff choose, announcements that may or may not take
// members' replies, the official response among a thread's replies, and when staff first replied
// (the "staff response time" a report reads).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('threads')
    // A pin's place among the pins it is shown with: the global pins together, each category's
    // own pins together. 1 leads. Null when the thread is not pinned.
    .addColumn('pin_position', 'integer')
    // An announcement takes members' replies only when staff said so; other kinds always do.
    .addColumn('members_may_reply', 'boolean', (c) => c.notNull().defaultTo(true))
    // The staff reply shown under the first post as the brand's answer.
    .addColumn('official_post_id', 'bigint', (c) => c.references('posts.id').onDelete('set null'))
    // Set by the reply's own write (createReply) when its author is staff or an admin.
    .addColumn('first_staff_reply_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('threads')
    .addCheckConstraint('threads_pin_position', sql`pin_position is null or pinned_scope is not null`)
    .execute();

  // The pins there are keep the order lists showed them in: the latest activity first.
  await sql`
    update threads t set pin_position = o.n
    from (
      select id, row_number() over (
        partition by pinned_scope, case when pinned_scope = 'global' then 0 else category_id end
        order by last_post_at desc, id desc) as n
      from threads where pinned_scope is not null
    ) o
    where t.id = o.id`.execute(db);

  await sql`
    update threads t set first_staff_reply_at = f.at
    from (
      select p.thread_id, min(p.created_at) as at
      from posts p join users u on u.id = p.user_id
      where p.post_number > 1 and u.role in ('staff', 'admin')
      group by p.thread_id
    ) f
    where t.id = f.thread_id`.execute(db);

  // A global pin heads every category's list as well as the home page: any change to one (its
  // pin, its order, its title, a reply) concerns every category page, which depends on `pins`
  // (server/threads/routes.ts). Few threads are pinned globally, so this is seldom sent.
  await sql`
    create function hearth_notify_global_pins() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hearth_pages', 'pins');
      return null;
    end $$`.execute(db);
  await sql`create trigger threads_pins_notify_pages after update on threads
    for each row when ((old.pinned_scope = 'global' or new.pinned_scope = 'global')
      and (to_jsonb(old) - 'view_count') is distinct from (to_jsonb(new) - 'view_count'))
    execute function hearth_notify_global_pins()`.execute(db);
  await sql`create trigger threads_pins_delete_notify_pages after delete on threads
    for each row when (old.pinned_scope = 'global')
    execute function hearth_notify_global_pins()`.execute(db);

  // A post carries the brand's mark by its author's role (server/threads/post-view.ts): a role
  // changing changes what the kept pages of their posts show, as a rank or a name does
  // (migrations/0031, 0039).
  await sql`create trigger users_role_notify_author after update of role on users
    for each row when (old.role is distinct from new.role)
    execute function hearth_notify_author()`.execute(db);
}

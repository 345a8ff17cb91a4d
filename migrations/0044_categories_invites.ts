import { sql, type Kysely } from 'kysely';

// Categories an admin archives, the members a private category lets in by name, and invites.
//
// An archived category is read-only: its threads stay at their addresses and take no new threads
// or replies, and it leaves the lists (the home page's categories and latest threads). Archiving
// is an update of the category, which categories_notify_pages (migrations/0015) already announces
// to every kept page; it changes nobody's access, so the member counts (migrations/0026) stay.
//
// category_members lets a member read a category their role and rank would not open: an invite
// to a private category adds its invitee here. Read with the category in every list's access rule
// (server/access/categories.ts), by its primary key.
//
// An invite is a link with a code, an expiry and a use limit, giving its invitee a role or the
// reading of a category, or neither. `used_count` is taken by one conditional update, so two
// registrations racing for the last use cannot both win it. invite_uses keeps who came in by
// which invite, and so who invited whom; a member is invited once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table categories add column archived_at timestamptz`.execute(db);

  await sql`create table category_members (
    category_id bigint not null references categories (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    added_by bigint references users (id) on delete set null,
    created_at timestamptz not null default now(),
    primary key (category_id, user_id)
  )`.execute(db);
  // A member's categories, for their session.
  await sql`create index category_members_user on category_members (user_id)`.execute(db);

  await sql`create table invites (
    id bigint generated always as identity primary key,
    code text not null unique check (code ~ '^[A-Za-z0-9_-]{24}$'),
    created_by bigint references users (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    max_uses integer not null check (max_uses between 1 and 1000),
    used_count integer not null default 0 check (used_count >= 0 and used_count <= max_uses),
    role text check (role in ('member', 'moderator', 'staff', 'admin')),
    category_id bigint references categories (id) on delete cascade,
    note text not null default '' check (char_length(note) <= 200),
    revoked_at timestamptz
  )`.execute(db);
  await sql`create index invites_newest on invites (created_at desc, id desc)`.execute(db);

  await sql`create table invite_uses (
    invite_id bigint not null references invites (id) on delete cascade,
    user_id bigint not null unique references users (id) on delete cascade,
    used_at timestamptz not null default now(),
    primary key (invite_id, user_id)
  )`.execute(db);

  // Invites are written to the staff log as targets of their own. The check is extended as it
  // stands, whatever else it has come to allow, rather than written out again.
  await sql`do $$
    declare def text;
    begin
      select pg_get_constraintdef(oid) into def from pg_constraint where conname = 'staff_log_target_type_check';
      if position('''invite''' in def) = 0 then
        alter table staff_log drop constraint staff_log_target_type_check;
        execute 'alter table staff_log add constraint staff_log_target_type_check '
          || replace(def, 'ARRAY[', 'ARRAY[''invite''::text, ');
      end if;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table invite_uses`.execute(db);
  await sql`drop table invites`.execute(db);
  await sql`drop table category_members`.execute(db);
  await sql`alter table categories drop column archived_at`.execute(db);
}

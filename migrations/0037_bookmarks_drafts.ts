import { sql, type Kysely } from 'kysely';

// Bookmarks and drafts: what a member keeps for later, and what they are writing.
//
// A bookmark is one per member and post (a thread's is its first post's), with an optional
// reminder. `reminded_at` is set by the minute job in the same statement that claims the row and
// writes the notification, so a reminder is sent once however many processes run the job.
// Bookmarks show on the thread page a member reads from the rendering members share, filled in
// with their own facts (server/threads/member-page.ts), so a change announces reads:<id> as a like
// does (migrations/0024's hearth_notify_members, whose branch for any other table is reads:).
//
// A draft is one per member and place: the reply box of a thread (thread:<id>) or the new-thread
// form of a category (category:<id>). The reply box is on the thread page too, filled in from the
// same facts, so a draft announces reads:<id> as well. The sizes are the posts' own (posts are at
// most 50,000 characters, titles 200: server/text/rules.ts, server/threads/rules.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table bookmarks (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    post_id bigint not null references posts (id) on delete cascade,
    created_at timestamptz not null default now(),
    remind_at timestamptz,
    reminded_at timestamptz,
    unique (user_id, post_id)
  )`.execute(db);
  // The member's list, newest first, paged by (created_at, id).
  await sql`create index bookmarks_member_newest on bookmarks (user_id, created_at desc, id desc)`.execute(db);
  // What the minute job looks for: reminders due and not yet sent, a small set.
  await sql`create index bookmarks_reminders_due on bookmarks (remind_at) where remind_at is not null and reminded_at is null`.execute(db);
  await sql`create trigger bookmarks_notify_members after insert or update or delete on bookmarks
    for each row execute function hearth_notify_members()`.execute(db);

  await sql`create table drafts (
    user_id bigint not null references users (id) on delete cascade,
    draft_key text not null check (draft_key ~ '^(thread|category):[0-9]+$'),
    title text not null default '' check (char_length(title) <= 200),
    body text not null default '' check (char_length(body) <= 50000),
    updated_at timestamptz not null default now(),
    primary key (user_id, draft_key)
  )`.execute(db);
  // The sweep removes drafts left for weeks.
  await sql`create index drafts_updated on drafts (updated_at)`.execute(db);
  await sql`create trigger drafts_notify_members after insert or update or delete on drafts
    for each row execute function hearth_notify_members()`.execute(db);

  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (
    'mention', 'reply', 'watching', 'flag_outcome', 'post_hidden', 'post_approved', 'post_rejected', 'post_deleted',
    'post_pending', 'sanction', 'appeal_outcome', 'badge', 'rank', 'nomination', 'bookmark_reminder'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from notifications where kind = 'bookmark_reminder'`.execute(db);
  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (
    'mention', 'reply', 'watching', 'flag_outcome', 'post_hidden', 'post_approved', 'post_rejected', 'post_deleted',
    'post_pending', 'sanction', 'appeal_outcome', 'badge', 'rank', 'nomination'))`.execute(db);
  await sql`drop table drafts`.execute(db);
  await sql`drop table bookmarks`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Recognition: badges, the facts ranks are computed from, and the ambassador nomination.
//
// - user_badges: a badge held by a member. grant_key tells apart the grants of a badge that can
//   be earned more than once (the post it was for, the year of an anniversary), 0 for the rest,
//   so (user_id, badge, grant_key) is unique and a rule run twice grants nothing twice. A revoked
//   grant keeps its row (revoked_at), so a rule never hands back what staff took away.
// - badge_due: members whose facts moved since their badges and rank were last looked at;
//   triggers on the writes that matter add them, the badge job takes them in batches.
// - member_days: one row per member per day they were here, with what they read that day
//   (written in batches by the process that served the pages, never on each page view).
// - users.rank_locked: a rank set by hand (the shell, the admin page) that the rank job leaves
//   alone; users.rank_changed_at: when the rank last moved (rank 3's grace period counts from it);
//   users.guidelines_read_at: the first time the member opened the guidelines.
// - rank_nominations: staff nominate an Advocate for Ambassador; the member accepts or declines.
//   One open nomination per member.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table user_badges (
      id bigserial primary key,
      user_id bigint not null references users(id) on delete cascade,
      badge text not null,
      grant_key bigint not null default 0,
      post_id bigint references posts(id) on delete set null,
      granted_at timestamptz not null default now(),
      granted_by bigint references users(id) on delete set null,
      reason text not null default '',
      revoked_at timestamptz,
      revoked_by bigint references users(id) on delete set null,
      unique (user_id, badge, grant_key)
    )`.execute(db);
  // A badge's holders, newest first (keyset paged), and a member's badges.
  await sql`create index user_badges_holders on user_badges (badge, granted_at desc, id desc) where revoked_at is null`.execute(db);
  await sql`create index user_badges_member on user_badges (user_id, granted_at desc) where revoked_at is null`.execute(db);

  await sql`
    create table badge_due (
      user_id bigint primary key references users(id) on delete cascade,
      since timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table member_days (
      user_id bigint not null references users(id) on delete cascade,
      day date not null,
      reading_seconds integer not null default 0,
      posts_read integer not null default 0,
      threads_entered integer not null default 0,
      primary key (user_id, day)
    )`.execute(db);

  await sql`alter table users
    add column rank_locked boolean not null default false,
    add column rank_changed_at timestamptz,
    add column guidelines_read_at timestamptz`.execute(db);

  await sql`
    create table rank_nominations (
      id bigserial primary key,
      user_id bigint not null references users(id) on delete cascade,
      nominated_by bigint references users(id) on delete set null,
      note text not null default '',
      created_at timestamptz not null default now(),
      answer text check (answer in ('accepted', 'declined', 'withdrawn')),
      answered_at timestamptz
    )`.execute(db);
  await sql`create unique index rank_nominations_open on rank_nominations (user_id) where answer is null`.execute(db);

  // What the badge rules and the leaderboard read by post and by accepted answer.
  await sql`create index reputation_events_post on reputation_events (post_id) where post_id is not null`.execute(db);
  await sql`create index threads_accepted on threads (accepted_post_id) where accepted_post_id is not null`.execute(db);

  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (
    'mention', 'reply', 'watching', 'flag_outcome', 'post_hidden', 'post_approved', 'post_rejected', 'post_deleted',
    'post_pending', 'sanction', 'appeal_outcome', 'badge', 'rank', 'nomination'))`.execute(db);
  // Where a notice that is not about a post leads (a badge's page, the member's profile).
  await sql`alter table notifications add column link text`.execute(db);

  await sql`alter table staff_log drop constraint staff_log_target_type_check`.execute(db);
  await sql`alter table staff_log add constraint staff_log_target_type_check check (target_type in (
    'post', 'thread', 'user', 'queue_item', 'setting', 'watched_word', 'category', 'sanction', 'appeal', 'export', 'badge'))`.execute(db);

  // The writes a badge or a rank can follow from mark their members due. One small insert per
  // write, skipped when the member is already due.
  await sql`
    create function badge_due_mark() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'posts' then
        insert into badge_due (user_id) values (new.user_id) on conflict do nothing;
      elsif tg_table_name = 'post_likes' then
        insert into badge_due (user_id)
          select new.user_id union select p.user_id from posts p where p.id = new.post_id
          on conflict do nothing;
      elsif tg_table_name = 'post_votes' then
        insert into badge_due (user_id) select p.user_id from posts p where p.id = new.post_id on conflict do nothing;
      elsif tg_table_name = 'threads' then
        insert into badge_due (user_id) select p.user_id from posts p where p.id = new.accepted_post_id on conflict do nothing;
      elsif tg_table_name = 'flags' then
        insert into badge_due (user_id) values (new.user_id) on conflict do nothing;
      elsif tg_table_name = 'member_days' then
        insert into badge_due (user_id) values (new.user_id) on conflict do nothing;
      elsif tg_table_name = 'users' then
        insert into badge_due (user_id) values (new.id) on conflict do nothing;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger posts_badge_due after insert on posts for each row execute function badge_due_mark()`.execute(db);
  await sql`create trigger post_likes_badge_due after insert on post_likes for each row execute function badge_due_mark()`.execute(db);
  await sql`create trigger post_votes_badge_due after insert or update on post_votes for each row execute function badge_due_mark()`.execute(db);
  await sql`create trigger threads_badge_due after update of accepted_post_id on threads
    for each row when (new.accepted_post_id is not null and new.accepted_post_id is distinct from old.accepted_post_id)
    execute function badge_due_mark()`.execute(db);
  await sql`create trigger flags_badge_due after update of outcome on flags
    for each row when (new.outcome = 'agreed' and old.outcome is distinct from new.outcome) execute function badge_due_mark()`.execute(db);
  await sql`create trigger member_days_badge_due after insert or update on member_days for each row execute function badge_due_mark()`.execute(db);
  await sql`create trigger users_badge_due after update of bio, guidelines_read_at on users
    for each row when (new.bio is distinct from old.bio or new.guidelines_read_at is distinct from old.guidelines_read_at)
    execute function badge_due_mark()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [trigger, table] of [
    ['posts_badge_due', 'posts'], ['post_likes_badge_due', 'post_likes'], ['post_votes_badge_due', 'post_votes'],
    ['threads_badge_due', 'threads'], ['flags_badge_due', 'flags'], ['member_days_badge_due', 'member_days'], ['users_badge_due', 'users'],
  ]) {
    await sql`drop trigger ${sql.raw(trigger)} on ${sql.raw(table)}`.execute(db);
  }
  await sql`drop function badge_due_mark()`.execute(db);
  await sql`alter table staff_log drop constraint staff_log_target_type_check`.execute(db);
  await sql`alter table staff_log add constraint staff_log_target_type_check check (target_type in (
    'post', 'thread', 'user', 'queue_item', 'setting', 'watched_word', 'category', 'sanction', 'appeal', 'export'))`.execute(db);
  await sql`alter table notifications drop column link`.execute(db);
  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (
    'mention', 'reply', 'watching', 'flag_outcome', 'post_hidden', 'post_approved', 'post_rejected', 'post_deleted',
    'post_pending', 'sanction', 'appeal_outcome'))`.execute(db);
  await sql`drop index threads_accepted`.execute(db);
  await sql`drop index reputation_events_post`.execute(db);
  await sql`drop table rank_nominations`.execute(db);
  await sql`alter table users drop column rank_locked, drop column rank_changed_at, drop column guidelines_read_at`.execute(db);
  await sql`drop table member_days`.execute(db);
  await sql`drop table badge_due`.execute(db);
  await sql`drop table user_badges`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// A member's reading (member_days' rows updated as the day goes on: posts read, reading time,
// threads entered) moves their rank, not their badges: the badges that read member_days count
// the days themselves, which a new row moves. So reading now marks its member due for a look at
// their rank only (`badges` false), and the minute job runs the badge rules only for members whose
// badge facts moved. Before, every member reading marked themselves due for all of it, and the
// job ran every badge rule for every reader every minute.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table badge_due add column badges boolean not null default true`.execute(db);
  // The same marks as migrations/0029's, a member due for their rank only becoming due for their
  // badges too; and member_days marks by badge (a new day) or by rank (more read that day).
  await sql`
    create or replace function badge_due_mark() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'posts' then
        insert into badge_due (user_id) values (new.user_id)
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'post_likes' then
        insert into badge_due (user_id)
          select new.user_id union select p.user_id from posts p where p.id = new.post_id
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'post_votes' then
        insert into badge_due (user_id) select p.user_id from posts p where p.id = new.post_id
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'threads' then
        insert into badge_due (user_id) select p.user_id from posts p where p.id = new.accepted_post_id
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'flags' then
        insert into badge_due (user_id) values (new.user_id)
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'member_days' and tg_op = 'INSERT' then
        insert into badge_due (user_id) values (new.user_id)
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      elsif tg_table_name = 'member_days' then
        insert into badge_due (user_id, badges) values (new.user_id, false) on conflict do nothing;
      elsif tg_table_name = 'users' then
        insert into badge_due (user_id) values (new.id)
          on conflict (user_id) do update set badges = true where not badge_due.badges;
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function badge_due_mark() returns trigger language plpgsql as $$
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
  await sql`alter table badge_due drop column badges`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Moderation: what hides a post or holds it for approval, the flags and the review queue,
// watched words, sanctions and their appeals, thread actions, and settings admins change.
export async function up(db: Kysely<any>): Promise<void> {
  // A post may be hidden (by flags or a moderator, pending review) or held for approval (a
  // newcomer's first posts, a watched word, a spam check). Either keeps it from everyone but its
  // author and moderators; neither destroys it.
  await db.schema
    .alterTable('posts')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('hidden_reason', 'text', (c) => c.check(sql`hidden_reason in ('flags', 'moderator')`))
    .addColumn('pending_at', 'timestamptz')
    .addColumn('pending_reason', 'text', (c) => c.check(sql`pending_reason in ('newcomer', 'watched_word', 'spam')`))
    .addColumn('flag_score', 'real', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`alter table posts
    add constraint posts_hidden_complete check ((hidden_at is null) = (hidden_reason is null)),
    add constraint posts_pending_complete check ((pending_at is null) = (pending_reason is null))`.execute(db);

  // A thread mirrors its first post (hidden, pending), and moderators may unlist it, close it
  // after a time, slow it down, or merge it into another (it then leads there).
  await db.schema
    .alterTable('threads')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('pending_at', 'timestamptz')
    .addColumn('unlisted_at', 'timestamptz')
    .addColumn('closes_at', 'timestamptz')
    .addColumn('slow_mode_seconds', 'integer', (c) => c.notNull().defaultTo(0).check(sql`slow_mode_seconds between 0 and 604800`))
    .addColumn('merged_into', 'bigint', (c) => c.references('threads.id'))
    .execute();

  // Standing the moderation rules read on every post: sanctions in force (their ends kept here
  // so a check costs no join; the sanctions table is the record) and flag accuracy.
  await db.schema
    .alterTable('users')
    .addColumn('silenced_until', 'timestamptz')
    .addColumn('suspended_until', 'timestamptz')
    .addColumn('flags_agreed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flags_disagreed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'bigint', (c) => c.references('users.id'))
    .execute();

  await db.schema
    .createTable('flags')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('spam', 'offensive', 'off_topic', 'other')`))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('weight', 'real', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('agreed', 'disagreed')`))
    .addColumn('resolved_at', 'timestamptz')
    .addUniqueConstraint('flags_one_per_member', ['post_id', 'user_id'])
    .addCheckConstraint('flags_other_has_note', sql`reason <> 'other' or length(trim(note)) > 0`)
    .execute();
  await db.schema.createIndex('flags_user').on('flags').columns(['user_id', 'created_at']).execute();

  // One open item per post: its flags are grouped under it, whatever brought it in first.
  await db.schema
    .createTable('queue_items')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('flag', 'approval', 'watched_word', 'spam', 'appeal')`))
    .addColumn('post_id', 'bigint', (c) => c.references('posts.id').onDelete('cascade'))
    .addColumn('appeal_id', 'bigint')
    .addColumn('category_id', 'bigint', (c) => c.references('categories.id').onDelete('cascade'))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'resolved')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('resolved_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolution', 'text', (c) =>
      c.check(sql`resolution in ('approve', 'reject', 'hide', 'delete', 'dismiss', 'edit_approve', 'uphold', 'lift')`),
    )
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addCheckConstraint('queue_items_target', sql`(kind = 'appeal') = (appeal_id is not null) and (kind = 'appeal' or post_id is not null)`)
    .addCheckConstraint('queue_items_resolved', sql`(status = 'resolved') = (resolved_at is not null and resolution is not null)`)
    .execute();
  await sql`create unique index queue_items_open_post on queue_items (post_id) where status = 'open'`.execute(db);
  await sql`create index queue_items_open on queue_items (created_at, id) where status = 'open'`.execute(db);
  await sql`create index queue_items_post on queue_items (post_id)`.execute(db);

  await db.schema
    .createTable('watched_words')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('word', 'text', (c) => c.notNull().check(sql`length(word) between 1 and 100`))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('block', 'require_approval', 'censor', 'flag')`))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index watched_words_word on watched_words (lower(word))`.execute(db);

  await db.schema
    .createTable('sanctions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('warn', 'silence', 'suspend', 'ban')`))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(trim(reason)) > 0`))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    // null: a warning (nothing to end) or a ban (no end).
    .addColumn('ends_at', 'timestamptz')
    .addColumn('created_by', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('lifted_at', 'timestamptz')
    .addColumn('lifted_by', 'bigint', (c) => c.references('users.id'))
    .addCheckConstraint('sanctions_ends', sql`(kind in ('silence', 'suspend')) = (ends_at is not null)`)
    .execute();
  await db.schema.createIndex('sanctions_user').on('sanctions').columns(['user_id', 'starts_at']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('sanction_id', 'bigint', (c) => c.notNull().unique().references('sanctions.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(trim(body)) > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('upheld', 'lifted')`))
    .addColumn('decided_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .execute();
  await sql`alter table queue_items add constraint queue_items_appeal foreign key (appeal_id) references appeals (id) on delete cascade`.execute(db);
  await sql`create unique index queue_items_open_appeal on queue_items (appeal_id) where status = 'open'`.execute(db);

  // Notifications about moderation carry a message of their own and may concern no post.
  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (
    'mention', 'reply', 'watching', 'flag_outcome', 'post_hidden', 'post_approved', 'post_rejected', 'post_deleted',
    'post_pending', 'sanction', 'appeal_outcome'))`.execute(db);
  await sql`alter table notifications alter column thread_id drop not null, alter column post_id drop not null, alter column actor_id drop not null`.execute(db);
  await sql`alter table notifications add column message text not null default ''`.execute(db);
  // A member hears once of a post as a reader (mention, reply, watch); notices about
  // moderation may come several times about the same post.
  await sql`alter table notifications drop constraint notifications_user_post`.execute(db);
  await sql`create unique index notifications_user_post on notifications (user_id, post_id) where kind in ('mention', 'reply', 'watching')`.execute(db);
}

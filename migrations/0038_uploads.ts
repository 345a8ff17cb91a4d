import { sql, type Kysely } from 'kysely';

// Images and files members attach to posts (server/uploads/). The bytes live in the storage
// (a folder on disk or an S3 bucket) under `key`; the row says whose they are, what they are and
// which posts hold them. A key names content that never changes (a hash of the bytes and of the
// uploader), so it is served with a long cache life. `thumb_key` is an image's thumbnail, kept
// beside it in the storage.
//
// post_uploads links an upload to each post whose markdown names it, written in the post's own
// transaction. Deleting a post keeps the link (a deleted post stays for moderators as evidence);
// an upload linked to nothing is removed by the sweep after a grace period.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table uploads (
    id bigint generated always as identity primary key,
    key text not null unique check (key ~ '^[0-9a-f]{40}\\.[a-z0-9]{1,5}$'),
    thumb_key text unique check (thumb_key ~ '^[0-9a-f]{40}\\.thumb\\.[a-z0-9]{1,5}$'),
    user_id bigint not null references users (id) on delete cascade,
    name text not null check (length(name) between 1 and 255),
    kind text not null check (kind in ('image', 'pdf', 'text', 'zip')),
    content_type text not null,
    size bigint not null check (size >= 0),
    width integer,
    height integer,
    created_at timestamptz not null default now()
  )`.execute(db);
  // The member's daily quota sums their uploads of the last day.
  await sql`create index uploads_user_created on uploads (user_id, created_at)`.execute(db);
  // The sweep looks at the oldest uploads first.
  await sql`create index uploads_created on uploads (created_at)`.execute(db);

  await sql`create table post_uploads (
    post_id bigint not null references posts (id) on delete cascade,
    upload_id bigint not null references uploads (id) on delete cascade,
    primary key (post_id, upload_id)
  )`.execute(db);
  // Serving an upload asks which posts hold it; the sweep asks whether any does.
  await sql`create index post_uploads_upload on post_uploads (upload_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table post_uploads`.execute(db);
  await sql`drop table uploads`.execute(db);
}

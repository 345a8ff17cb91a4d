// Every read and write of uploads' rows. The bytes are the storage's (./storage.ts); a row is
// written only once its bytes are kept, and removed before them, so a row always names bytes
// that are there (a file left behind by a crash is harmless, and never served: no row names it).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { UploadKind } from '../db/schema.ts';
import { postsWithThreadQuery } from '../access/posts.ts';

export interface NewUpload {
  key: string;
  thumbKey: string | null;
  userId: number;
  name: string;
  kind: UploadKind;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  at: Date;
}

/** Writes the row, or finds the member's same upload (the same bytes: the same key). */
export async function recordUpload(db: Db, u: NewUpload) {
  const row = await db
    .insertInto('uploads')
    .values({
      key: u.key, thumb_key: u.thumbKey, user_id: u.userId, name: u.name, kind: u.kind, content_type: u.contentType,
      size: u.size, width: u.width, height: u.height, created_at: u.at,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning(['id', 'key', 'name', 'kind'])
    .executeTakeFirst();
  return row ?? (await db.selectFrom('uploads').select(['id', 'key', 'name', 'kind']).where('key', '=', u.key).executeTakeFirstOrThrow());
}

export function uploadByKey(db: Db, key: string) {
  return db
    .selectFrom('uploads')
    .select(['id', 'key', 'thumb_key', 'user_id', 'name', 'kind', 'content_type', 'size'])
    .where((eb) => eb.or([eb('key', '=', key), eb('thumb_key', '=', key)]))
    .executeTakeFirst();
}

/** Bytes the member uploaded since `since` (their rolling day, for the quota). */
export async function bytesUploadedSince(db: Db, userId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('total'))
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** The posts holding an upload, with what deciding whether a viewer may see each needs. */
export function postsHoldingUpload(db: Db, uploadId: number) {
  return postsWithThreadQuery(db)
    .innerJoin('post_uploads as pu', 'pu.post_id', 'p.id')
    .where('pu.upload_id', '=', uploadId)
    .execute();
}

/**
 * Links a post to the uploads its markdown names that are the writer's own (another member's
 * key in a post links nothing: its reader sees it only where its uploader put it). Returns how
 * many of the writer's uploads the post names. Run in the post's transaction.
 */
export async function linkUploads(db: Db, postId: number, writerId: number, keys: string[]): Promise<number> {
  if (!keys.length) return 0;
  // Held (key share) until the post commits: the sweep's delete of one of them waits for it.
  const own = await db.selectFrom('uploads').select('id').where('key', 'in', keys).where('user_id', '=', writerId).forKeyShare().execute();
  if (own.length) {
    await db
      .insertInto('post_uploads')
      .values(own.map((u) => ({ post_id: postId, upload_id: u.id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return own.length;
}

/** Uploads older than `before` that no post holds: what the sweep removes. */
export function unreferencedUploads(db: Db, before: Date, limit: number) {
  return db
    .selectFrom('uploads as u')
    .select(['u.id', 'u.key', 'u.thumb_key'])
    .where('u.created_at', '<', before)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('post_uploads as pu').select('pu.post_id').whereRef('pu.upload_id', '=', 'u.id'))))
    .orderBy('u.created_at')
    .limit(limit)
    .execute();
}

export function uploadsOfMember(db: Db, userId: number) {
  return db.selectFrom('uploads').select(['id', 'key', 'thumb_key']).where('user_id', '=', userId).execute();
}

/** Removes the rows (their links go with them) of these uploads, if still unreferenced when `unreferenced`. */
export async function deleteUploadRows(db: Db, ids: number[], unreferenced: boolean): Promise<number[]> {
  if (!ids.length) return [];
  let q = db.deleteFrom('uploads as u').where('u.id', 'in', ids);
  // A post written since the sweep read the list may have taken one: that one stays.
  if (unreferenced) q = q.where(({ not, exists, selectFrom }) => not(exists(selectFrom('post_uploads as pu').select('pu.post_id').whereRef('pu.upload_id', '=', 'u.id'))));
  const rows = await q.returning('u.id').execute();
  return rows.map((r) => r.id);
}

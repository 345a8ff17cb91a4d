// Removing uploads: the scheduled sweep of those no post holds after a grace period (an upload
// is kept meanwhile for the post being written), and a member's all, when their account is
// erased. Rows go first, then the bytes: a row never names bytes that are gone.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';
import { deleteUploadRows, unreferencedUploads, uploadsOfMember } from './queries.ts';
import type { UploadStorage } from './storage.ts';

/** How long an upload no post holds is kept: long enough to finish the post it was made for. */
export const UPLOAD_GRACE_HOURS = 24;

const BATCH = 200;

async function removeBytes(storage: UploadStorage, log: FastifyBaseLogger, rows: { key: string; thumb_key: string | null }[]) {
  for (const row of rows) {
    for (const key of [row.key, row.thumb_key]) {
      if (!key) continue;
      try {
        await storage.delete(key);
      } catch (err) {
        // The row is gone, so nothing serves these bytes; they only take room until removed by hand.
        log.error({ err, key }, 'uploads: removing an upload\'s bytes from the storage failed; they are left behind');
      }
    }
  }
}

/** Removes the uploads no post holds that are older than the grace period; returns how many. */
export async function sweepUnreferencedUploads(db: Db, storage: UploadStorage, log: FastifyBaseLogger, now: () => Date): Promise<number> {
  const before = new Date(now().getTime() - UPLOAD_GRACE_HOURS * 60 * 60 * 1000);
  let removed = 0;
  for (;;) {
    const rows = await unreferencedUploads(db, before, BATCH);
    if (!rows.length) break;
    const gone = new Set(await deleteUploadRows(db, rows.map((r) => r.id), true));
    await removeBytes(storage, log, rows.filter((r) => gone.has(r.id)));
    removed += gone.size;
    if (rows.length < BATCH) break;
  }
  if (removed) log.info({ removed }, 'uploads: removed uploads no post holds');
  return removed;
}

/**
 * Removes every upload of a member, from the database and the storage: part of erasing their
 * account (their posts' images go with them; run before the member's row is deleted, which
 * would otherwise take the rows and leave the bytes).
 */
export async function eraseUploadsOf(db: Db, storage: UploadStorage, log: FastifyBaseLogger, userId: number): Promise<number> {
  const rows = await uploadsOfMember(db, userId);
  const gone = new Set(await deleteUploadRows(db, rows.map((r) => r.id), false));
  await removeBytes(storage, log, rows.filter((r) => gone.has(r.id)));
  return gone.size;
}

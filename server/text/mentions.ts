// Cooking a post with its @mentions resolved against the members that exist.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { cook, mentionCandidates } from './cook.ts';

/** At most this many members are linked and notified from one post. */
export const MENTION_LIMIT = 20;

/** What a post being written will look like: an empty text previews as nothing. */
export async function previewOf(db: Db, raw: string): Promise<string> {
  return raw.trim() ? (await cookPost(db, raw.slice(0, 50_000))).cooked : '';
}

export async function cookPost(db: Db, raw: string): Promise<{ cooked: string; mentioned: { id: number; username: string }[] }> {
  const candidates = mentionCandidates(raw).slice(0, MENTION_LIMIT);
  if (!candidates.length) return { cooked: cook(raw), mentioned: [] };
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where(sql<string>`lower(username)`, 'in', candidates)
    .execute();
  const members = new Map(rows.map((r) => [r.username.toLowerCase(), r.username]));
  const linked = new Set<string>();
  const cooked = cook(raw, members, linked);
  return { cooked, mentioned: rows.filter((r) => linked.has(r.username)) };
}

// A member's own data, as one JSON document: their profile, posts, votes, likes, the flags they
// raised, their sanctions and their notifications. It is written as it is read, a page of rows at
// a time, so that a member with fifty thousand posts costs a page of memory, not fifty thousand.
// Nothing of other members is in it: their own rows only, and no other member's names or ids.
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

const PAGE = 500;

/** Where a page ends: the time column as PostgreSQL writes it (to the microsecond), and the id. */
interface Cursor {
  at: string | null;
  id: number;
}

/**
 * One list of the member's rows, read in pages in the order of an index that starts with
 * user_id and a time (posts_user_id, post_votes_user, post_likes_user_id, flags_user,
 * sanctions_user, notifications by id), so that each page starts where the last ended rather
 * than reading and sorting all of a busy member's rows again.
 */
interface Section {
  name: string;
  table: 'posts' | 'post_votes' | 'post_likes' | 'flags' | 'sanctions' | 'notifications';
  /** The time column of the index (null: the index orders by id alone), and the column that breaks ties (unique with it for the member). */
  at: string | null;
  id: string;
  columns: string[];
}

const sections: Section[] = [
  {
    name: 'posts', table: 'posts', at: 'created_at', id: 'id',
    columns: ['id', 'thread_id', 'post_number', 'raw as body', 'created_at', 'updated_at', 'deleted_at', 'hidden_at', 'pending_at'],
  },
  { name: 'votes', table: 'post_votes', at: 'created_at', id: 'post_id', columns: ['post_id', 'value', 'created_at'] },
  { name: 'likes', table: 'post_likes', at: 'created_at', id: 'post_id', columns: ['post_id', 'created_at'] },
  { name: 'flags', table: 'flags', at: 'created_at', id: 'id', columns: ['id', 'post_id', 'reason', 'note', 'created_at', 'outcome', 'resolved_at'] },
  // Who imposed a sanction is a moderator's name: not the member's data, left out.
  { name: 'sanctions', table: 'sanctions', at: 'starts_at', id: 'id', columns: ['id', 'kind', 'reason', 'starts_at', 'ends_at', 'lifted_at'] },
  // The notice's own words and where it leads, not who caused it.
  { name: 'notifications', table: 'notifications', at: null, id: 'id', columns: ['id', 'kind', 'message', 'link', 'thread_id', 'post_id', 'created_at', 'read_at'] },
];

/** A page of a section's rows after the cursor, each with the cursor it ends at. */
async function pageOf(db: Db, s: Section, userId: number, after: Cursor | null, limit: number) {
  const id = sql.ref(s.id);
  const at = s.at ? sql.ref(s.at) : null;
  // The columns are this file's own words, never the request's.
  const columns = sql.raw(s.columns.join(', '));
  const from = !after ? sql`` : at ? sql`and (${at}, ${id}) > (${after.at}::timestamptz, ${after.id})` : sql`and ${id} > ${after.id}`;
  const { rows } = await sql<Record<string, unknown> & { cursor_at: string | null }>`
    select ${columns}, ${at ? sql`${at}::text` : sql`null`} as cursor_at
    from ${sql.table(s.table)}
    where user_id = ${userId} ${from}
    order by ${at ? sql`${at}, ` : sql``}${id}
    limit ${limit}`.execute(db);
  return rows.map(({ cursor_at, ...row }) => ({ row, cursor: { at: cursor_at, id: Number(row[s.id]) } }));
}

function profileOf(db: Db, userId: number) {
  return db
    .selectFrom('users')
    .select([
      'id', 'username', 'email', 'display_name', 'bio', 'location', 'website', 'role', 'rank', 'reputation',
      'post_count', 'thread_count', 'created_at', 'last_seen_at', 'guidelines_read_at',
    ])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The document's text, piece by piece: each section's rows as they come, a page at a time. */
export async function* ownDataPieces(db: Db, userId: number, at: Date, page = PAGE): AsyncGenerator<string> {
  const profile = await profileOf(db, userId);
  yield `{"exported_at":${JSON.stringify(at)},"profile":${JSON.stringify(profile)}`;
  for (const section of sections) {
    yield `,${JSON.stringify(section.name)}:[`;
    let after: Cursor | null = null;
    let first = true;
    for (;;) {
      const rows = await pageOf(db, section, userId, after, page);
      if (!rows.length) break;
      yield (first ? '' : ',') + rows.map((r) => JSON.stringify(r.row)).join(',');
      first = false;
      after = rows[rows.length - 1].cursor;
      if (rows.length < page) break;
    }
    yield ']';
  }
  yield '}\n';
}

/** The member's data as a stream to send: an error part way is the stream's, and ends the answer. */
export function ownDataStream(db: Db, userId: number, at: Date, page = PAGE): Readable {
  return Readable.from(ownDataPieces(db, userId, at, page), { objectMode: false });
}

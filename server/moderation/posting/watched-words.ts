// Watched words: a list admins keep of words that refuse a post (block), hold it for approval,
// are starred out of it (censor), or bring it before moderators (flag). A word matches as a
// whole word, in any case, in any script; and it is always taken literally, so `a.b` matches
// "a.b" and never "axb", and a word like `(x+)+` cannot become a pattern that hangs the server.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { WatchedWordAction } from '../../db/schema.ts';
import { logAction } from '../log/write.ts';

export const watchedWordActions: readonly WatchedWordAction[] = ['block', 'require_approval', 'censor', 'flag'];

export const actionNames: Record<WatchedWordAction, string> = {
  block: 'Block',
  require_approval: 'Require approval',
  censor: 'Censor',
  flag: 'Flag',
};

export const actionLabels: Record<WatchedWordAction, string> = {
  block: 'Block: refuse the post',
  require_approval: 'Require approval: hold the post for a moderator',
  censor: 'Censor: star the word out',
  flag: 'Flag: post it, and queue it for a look',
};

export const WORD_MAX = 100;

export interface WatchedWord {
  word: string;
  action: WatchedWordAction;
}

// A letter, digit, combining mark or underscore, in any script: what a word is made of.
const WORD_CHAR = '[\\p{L}\\p{N}\\p{M}_]';
const wordChar = new RegExp(WORD_CHAR, 'u');

/** Every character that means something in a pattern, escaped (and only those: `u` mode refuses others). */
const escapeLiteral = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/**
 * The pattern of one watched word: literal, case-insensitive, whole word. The word's edges that
 * are letters must not touch other letters (`ass` is not found in "class"); an edge that is
 * punctuation (`c++`, `(x+)+`) matches wherever it stands. Spaces inside a phrase match any run
 * of whitespace.
 */
export function wordPattern(word: string): RegExp {
  const w = word.trim().normalize('NFC');
  const chars = [...w];
  const literal = w.split(/\s+/).map(escapeLiteral).join('\\s+');
  const start = wordChar.test(chars[0] ?? '') ? `(?<!${WORD_CHAR})` : '';
  const end = wordChar.test(chars.at(-1) ?? '') ? `(?!${WORD_CHAR})` : '';
  return new RegExp(start + literal + end, 'giu');
}

/** The watched words found in a text, as the admin wrote them, by action. */
export function findWords(words: WatchedWord[], text: string): Record<WatchedWordAction, string[]> {
  const found: Record<WatchedWordAction, string[]> = { block: [], require_approval: [], censor: [], flag: [] };
  const normal = text.normalize('NFC');
  for (const w of words) {
    if (w.word.trim() && wordPattern(w.word).test(normal)) found[w.action].push(w.word);
  }
  return found;
}

/** The text with each censored word replaced by as many ■ as it had characters. */
export function censorText(words: WatchedWord[], text: string): string {
  let out = text.normalize('NFC');
  for (const w of words) {
    if (w.action !== 'censor' || !w.word.trim()) continue;
    out = out.replace(wordPattern(w.word), (m) => '■'.repeat([...m].length));
  }
  return out;
}

/** What watched words do to a post being written or edited: its title and body. */
export interface Screened {
  title?: string;
  body: string;
  /** Found, by action; `block` means the post must be refused. */
  found: Record<WatchedWordAction, string[]>;
  /** Which field a blocked word is in, to say it beside that field. */
  blockedIn: 'title' | 'body' | null;
}

/** Screens a title (for a first post) and a body: the pure part of the checks. */
export function screenPost(words: WatchedWord[], post: { title?: string; body: string }): Screened {
  const inTitle = post.title === undefined ? null : findWords(words, post.title);
  const inBody = findWords(words, post.body);
  const found = { ...inBody };
  for (const action of watchedWordActions) {
    if (inTitle) found[action] = [...new Set([...inTitle[action], ...inBody[action]])];
  }
  return {
    title: post.title === undefined || !inTitle?.censor.length ? post.title : censorText(words, post.title),
    body: inBody.censor.length ? censorText(words, post.body) : post.body,
    found,
    blockedIn: inBody.block.length ? 'body' : inTitle?.block.length ? 'title' : null,
  };
}

/** `“a”, “b” and “c”`: words named in a message. */
export function nameWords(words: string[]): string {
  const quoted = words.map((w) => `“${w}”`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

export function watchedWords(db: Db): Promise<(WatchedWord & { id: number; created_at: Date; created_by: string | null })[]> {
  return db
    .selectFrom('watched_words as w')
    .leftJoin('users as u', 'u.id', 'w.created_by')
    .select(['w.id', 'w.word', 'w.action', 'w.created_at', 'u.username as created_by'])
    .orderBy('w.word')
    .execute();
}

/** The list every post is screened against: only what matching needs. */
export function wordsToWatch(db: Db): Promise<WatchedWord[]> {
  return db.selectFrom('watched_words').select(['word', 'action']).execute();
}

/** Adds a word (a word already watched, in any case, violates a unique index) and logs it. */
export async function addWatchedWord(db: Db, w: WatchedWord & { by: number }) {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('watched_words')
      .values({ word: w.word, action: w.action, created_by: w.by })
      .returning(['id', 'word', 'action'])
      .executeTakeFirstOrThrow();
    await logAction(tx, {
      actorId: w.by,
      action: 'watched_word.add',
      target: { type: 'watched_word', id: row.id, label: row.word },
      after: { word: row.word, action: row.action },
    });
    return row;
  });
}

/** Removes a word and logs it; answers the removed word, or undefined if it was not there. */
export async function removeWatchedWord(db: Db, id: number, by: number) {
  return db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('watched_words').where('id', '=', id).returning(['id', 'word', 'action']).executeTakeFirst();
    if (!row) return undefined;
    await logAction(tx, {
      actorId: by,
      action: 'watched_word.remove',
      target: { type: 'watched_word', id: row.id, label: row.word },
      before: { word: row.word, action: row.action },
    });
    return row;
  });
}

export function watchedWordByText(db: Db, word: string) {
  return db
    .selectFrom('watched_words')
    .select(['id', 'word', 'action'])
    .where(sql<string>`lower(word)`, '=', sql<string>`lower(${word})`)
    .executeTakeFirst();
}

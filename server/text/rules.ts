// What a post's text (and a thread's title) may be: the one rule every path that writes a post's body checks it by
// (replies, new threads, edits, a moderator's edit-and-approve from the queue). Pure.

export const BODY_MAX = 50_000;

/** A thread's title, in characters (server/threads/rules.ts threadErrors; a draft's too). */
export const TITLE_MIN = 5;
export const TITLE_MAX = 200;

export function postErrors(body: string): Record<string, string> {
  if (!body.trim()) return { body: 'Write something before posting.' };
  if (body.length > BODY_MAX) return { body: `Posts are at most ${BODY_MAX.toLocaleString('en')} characters (this one has ${body.length.toLocaleString('en')}).` };
  return {};
}

// What a draft is: one per member and place, named `thread:<id>` (a reply being written) or
// `category:<id>` (a new thread), as big as the post it will become. Pure.
import { BODY_MAX, TITLE_MAX } from '../text/rules.ts';

/** How long a draft no one touches is kept (the sweep, server/jobs). */
export const DRAFT_KEEP_DAYS = 28;

export function draftKey(place: 'thread' | 'category', id: number): string {
  return `${place}:${id}`;
}

/** A draft's refusals: the post's own limits, said as a draft's. Empty text is not refused (it clears the draft). */
export function draftErrors(d: { title?: string; body: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (d.body.length > BODY_MAX) {
    errors.body = `Drafts are at most ${BODY_MAX.toLocaleString('en')} characters, as posts are (this one has ${d.body.length.toLocaleString('en')}).`;
  }
  if (d.title !== undefined && d.title.length > TITLE_MAX) errors.title = `Titles are at most ${TITLE_MAX} characters.`;
  return errors;
}

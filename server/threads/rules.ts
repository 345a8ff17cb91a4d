// Pure rules about threads. A post's own text is checked by postErrors (server/text/rules.ts).
import { postErrors, TITLE_MAX, TITLE_MIN } from '../text/rules.ts';

export { TITLE_MAX, TITLE_MIN };

/** Kinds a member may start here; the others arrive with their own features. */
export const memberKinds = ['discussion', 'question'] as const;

/** Kinds only brand staff start (speaksForBrand in server/permissions.ts): the brand's announcements. */
export const staffKinds = ['announcement'] as const;

export type StartedKind = (typeof memberKinds)[number] | (typeof staffKinds)[number];

/** How the new-thread form offers each kind. */
export const kindLabels: Record<StartedKind, string> = {
  discussion: 'Discussion',
  question: 'Question (answers can be voted on, and you can accept one)',
  announcement: 'Announcement (from staff; you choose whether members may reply)',
};

/** The kinds one may start: staff's announcements besides members' kinds. */
export function kindsFor(brandStaff: boolean): readonly StartedKind[] {
  return brandStaff ? [...memberKinds, ...staffKinds] : memberKinds;
}

/** `kinds`: those the author may start (kindsFor); any other is refused as not on the list. */
export function threadErrors(input: { title: string; body: string; kind: string }, kinds: readonly string[] = memberKinds): Record<string, string> {
  const errors: Record<string, string> = { ...postErrors(input.body) };
  if (input.title.length < TITLE_MIN || input.title.length > TITLE_MAX) {
    errors.title = `Titles are ${TITLE_MIN} to ${TITLE_MAX} characters.`;
  }
  if (!kinds.includes(input.kind)) errors.kind = 'Choose a kind of thread from the list.';
  return errors;
}

export interface CategoryInput {
  name: string;
  slug: string;
  description: string;
  color: string;
}

export function categoryErrors(c: CategoryInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (c.name.length < 1 || c.name.length > 60) errors.name = 'Names are 1 to 60 characters.';
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c.slug) || c.slug.length > 60) {
    errors.slug = 'Use lowercase letters, digits and single dashes, like "product-help".';
  }
  if (c.description.length > 500) errors.description = 'Descriptions are at most 500 characters.';
  if (!/^#[0-9a-f]{6}$/.test(c.color)) errors.color = 'Choose a colour like #2563eb.';
  return errors;
}

const NEW_FOR_DAYS = 14;

/**
 * What a list shows a member about a thread: how many posts they have not read, or that the
 * thread is new to them (never opened, started in the last two weeks). Guests see neither.
 */
export function readMarks(
  t: { last_post_number: number; last_read_post_number: number | null; created_at: Date },
  signedIn: boolean,
  now: Date,
) {
  if (!signedIn) return { unread: 0, isNew: false };
  if (t.last_read_post_number === null) {
    return { unread: 0, isNew: now.getTime() - t.created_at.getTime() < NEW_FOR_DAYS * 86400_000 };
  }
  return { unread: Math.max(0, t.last_post_number - t.last_read_post_number), isNew: false };
}

export const TAGS_MAX = 5;

/**
 * "Billing, how-to,  Billing" → ["billing", "how-to"]: lower case, spaces become dashes,
 * duplicates dropped. Errors name what is wrong rather than silently dropping a tag.
 */
export function parseTags(input: string): { tags: string[]; error?: string } {
  const names = [
    ...new Set(
      input
        .split(',')
        .map((t) => t.trim().toLowerCase().replace(/\s+/g, '-'))
        .filter(Boolean),
    ),
  ];
  const bad = names.find((n) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(n) || n.length > 30);
  if (bad !== undefined) return { tags: names, error: `Tags are up to 30 letters, digits and dashes ("${bad.slice(0, 40)}" is not).` };
  if (names.length > TAGS_MAX) return { tags: names, error: `At most ${TAGS_MAX} tags a thread.` };
  return { tags: names };
}

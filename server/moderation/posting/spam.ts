// Spam defences and newcomer limits on a new post: watched words, links and images, duplicates,
// posting rates by rank, and the approval of a newcomer's first posts. Also the same watched
// words (and link limits) on edits, and the honeypot and fill time of the registration form.
// Moderators and staff are never held, rate-limited or refused as duplicates: they post notices
// and canned answers in many threads at once, and their posts are the moderation.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { HttpError, tooSoon } from '../../errors.ts';
import { hasRole, rankNames, type Viewer } from '../../permissions.ts';
import { cook } from '../../text/cook.ts';
import { openPostItem } from '../items.ts';
import { readPostingRules, type PostingRules } from './posting-rules.ts';
import type { NewPost, PostDecision } from './types.ts';
import type { Settings } from '../settings/queries.ts';
import { holdPost } from '../holds.ts';
import { nameWords, screenPost, type Screened } from './watched-words.ts';

const HOUR = 60 * 60 * 1000;

/** Links and images in a post, counted in its cooked HTML: what readers would get (bare addresses become links too). */
export function countLinks(body: string): { links: number; images: number } {
  const html = cook(body);
  return { links: html.match(/<a\s/g)?.length ?? 0, images: html.match(/<img\s/g)?.length ?? 0 };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Why a newcomer's post has too many links or images, or null. */
export function linkLimitError(counts: { links: number; images: number }, s: Pick<Settings, 'newcomer_links' | 'newcomer_images'>): string | null {
  const over: string[] = [];
  if (counts.links > s.newcomer_links) over.push(`at most ${plural(s.newcomer_links, 'link', 'links')} (this one has ${counts.links})`);
  if (counts.images > s.newcomer_images) over.push(`at most ${plural(s.newcomer_images, 'image', 'images')} (this one has ${counts.images})`);
  if (!over.length) return null;
  return `New members may put ${over.join(' and ')} in a post. Please take some out; the limit lifts as you take part.`;
}

/** A wait in words: "25 seconds", "12 minutes". */
export function waitInWords(seconds: number): string {
  return seconds < 60 ? plural(Math.max(1, seconds), 'second', 'seconds') : plural(Math.ceil(seconds / 60), 'minute', 'minutes');
}

/** The value of a per-rank setting for a rank (the last one for ranks beyond the list). */
const forRank = (list: number[], rank: number) => list[Math.min(Math.max(rank, 0), list.length - 1)];

/**
 * How long a member must wait before posting again, from the times of their posts in the last
 * hour (newest first), or null if they may post now.
 */
export function postingWait(
  recent: Date[],
  now: Date,
  rank: number,
  s: Pick<Settings, 'post_interval_seconds' | 'posts_per_hour'>,
): { seconds: number; reason: 'interval' | 'hourly' } | null {
  const interval = forRank(s.post_interval_seconds, rank);
  const perHour = forRank(s.posts_per_hour, rank);
  let wait: { seconds: number; reason: 'interval' | 'hourly' } | null = null;
  const last = recent[0];
  if (last) {
    const left = interval * 1000 - (now.getTime() - last.getTime());
    if (left > 0) wait = { seconds: Math.ceil(left / 1000), reason: 'interval' };
  }
  // The hour's allowance is used up until the oldest post that counts against it is an hour old.
  const oldest = recent[perHour - 1];
  if (recent.length >= perHour && oldest) {
    const left = Math.ceil((oldest.getTime() + HOUR - now.getTime()) / 1000);
    if (left > 0 && (!wait || left > wait.seconds)) wait = { seconds: left, reason: 'hourly' };
  }
  return wait;
}

function waitMessage(wait: { seconds: number; reason: 'interval' | 'hourly' }, rank: number, perHour: number) {
  const who = `a ${rankNames[rank] ?? rankNames[0]}`;
  const when = `please wait ${waitInWords(wait.seconds)} before posting again`;
  return wait.reason === 'interval'
    ? `You are posting faster than ${who} may: ${when}.`
    : `You have posted ${perHour} times in the last hour, as many as ${who} may: ${when}.`;
}

/**
 * What the limits of a new post are checked against, in one statement: whether the member wrote
 * the same body (trimmed, spaces collapsed, any case) within the duplicate window; the times of
 * their posts in the last hour, newest first (deleting a post gives none back); and, for a
 * newcomer, their public or hidden posts (not held, not deleted) counted up to `approvalUpTo`.
 * One statement rather than three, because it runs inside the post's transaction, after the
 * member's posting lock, where queries cannot run side by side.
 */
async function postingHistory(
  db: Db,
  userId: number,
  q: { body: string; now: Date; duplicateMinutes: number; perHour: number; approvalUpTo: number },
): Promise<{ duplicate: boolean; recent: Date[]; approved: number }> {
  const { now } = q;
  const mine = () => db.selectFrom('posts').where('user_id', '=', userId);
  const same = (v: ReturnType<typeof sql>) => sql<string>`lower(btrim(regexp_replace(${v}, '\\s+', ' ', 'g')))`;
  return db
    .selectNoFrom((eb) => [
      q.duplicateMinutes > 0
        ? eb
            .exists(
              mine()
                .select('id')
                .where('created_at', '>', new Date(now.getTime() - q.duplicateMinutes * 60 * 1000))
                .where('created_at', '<=', now)
                .where('deleted_at', 'is', null)
                .where(same(sql.ref('raw')), '=', same(sql`${q.body}::text`)),
            )
            .$castTo<boolean>()
            .as('duplicate')
        : sql<boolean>`false`.as('duplicate'),
      sql<Date[]>`array(${mine()
        .select('created_at')
        .where('created_at', '>', new Date(now.getTime() - HOUR))
        // A clock moved back (tests, a corrected server time) must not count posts "from the future".
        .where('created_at', '<=', now)
        .orderBy('created_at', 'desc')
        .limit(Math.max(1, q.perHour))})`.as('recent'),
      q.approvalUpTo > 0
        ? sql<number>`(select count(*)::int from (${mine().select('id').where('pending_at', 'is', null).where('deleted_at', 'is', null).limit(q.approvalUpTo)}) p)`.as('approved')
        : sql<number>`0`.as('approved'),
    ])
    .executeTakeFirstOrThrow();
}

const isNewcomer = (viewer: Viewer) => viewer.rank === 0 && !hasRole(viewer, 'moderator');

/** Refuses a post with a blocked word, saying which word and where. */
function refuseBlocked(screened: Screened) {
  const blocked = screened.found.block;
  if (!blocked.length) return;
  const words = nameWords(blocked);
  const field = screened.blockedIn ?? 'body';
  const message = `${field === 'title' ? 'The title' : 'Your post'} contains ${words}, which ${blocked.length === 1 ? 'is' : 'are'} not allowed here. Please take ${blocked.length === 1 ? 'it' : 'them'} out and try again.`;
  throw new HttpError(422, message, { [field]: message });
}

function refuseLinks(viewer: Viewer, body: string, settings: Settings) {
  if (!isNewcomer(viewer)) return;
  const error = linkLimitError(countLinks(body), settings);
  if (error) throw new HttpError(422, error, { body: error });
}

/** Throws an HttpError (422/429) for a post refused outright; otherwise decides how it is written. */
export async function checkSpam(db: Db, post: NewPost): Promise<PostDecision> {
  const { viewer, now } = post;
  const { settings, words } = post.rules;
  const screened = screenPost(words, { title: post.title, body: post.body });
  refuseBlocked(screened);
  refuseLinks(viewer, post.body, settings);

  const decision: PostDecision = { body: screened.body, title: screened.title, hold: null, queue: null };
  if (hasRole(viewer, 'moderator')) return decision;

  const perHour = forRank(settings.posts_per_hour, viewer.rank);
  const newcomer = isNewcomer(viewer);
  const history = await postingHistory(db, viewer.id, {
    body: post.body, now, duplicateMinutes: settings.duplicate_window_minutes, perHour, approvalUpTo: newcomer ? settings.approval_posts : 0,
  });
  const { duplicate, recent } = history;
  const approved = newcomer ? history.approved : Infinity;
  // Said before the rate: a post sent twice is a duplicate, not a member in a hurry.
  if (duplicate) {
    const message = `You posted this already, in the last ${plural(settings.duplicate_window_minutes, 'minute', 'minutes')}. If you meant to post it again, please say something new.`;
    throw new HttpError(422, message, { body: message });
  }
  const wait = postingWait(recent, now, viewer.rank, settings);
  if (wait) throw tooSoon(waitMessage(wait, viewer.rank, perHour), wait.seconds);

  const { require_approval: toApprove, flag: toFlag } = screened.found;
  const flagNote = toFlag.length ? ` Watched words to look at: ${toFlag.join(', ')}.` : '';
  if (toApprove.length) {
    decision.hold = 'watched_word';
    decision.queue = { kind: 'watched_word', detail: `Held for the watched ${toApprove.length === 1 ? 'word' : 'words'}: ${toApprove.join(', ')}.${flagNote}` };
  } else if (approved < settings.approval_posts) {
    decision.hold = 'newcomer';
    decision.queue = {
      kind: 'approval',
      detail: `A newcomer's post: their first ${plural(settings.approval_posts, 'post waits', 'posts wait')} for approval (${approved} approved so far).${flagNote}`,
    };
  } else if (toFlag.length) {
    decision.queue = { kind: 'watched_word', detail: flagNote.trim() };
  }
  return decision;
}

/** What watched words make of an edit: the text to write, and whether it is held or queued. */
export interface EditDecision {
  title?: string;
  body: string;
  hold: string[];
  flag: string[];
}

/**
 * Screens an edit: a blocked word (or, for a newcomer, too many links) refuses it; censored words
 * are starred out. Holding and flagging concern only words the edit brings in, so fixing a typo
 * in a post a moderator approved does not send it back to the queue.
 */
export async function checkEdit(
  db: Db,
  edit: { viewer: Viewer; before: { title?: string; body: string }; title?: string; body: string; rules?: PostingRules },
): Promise<EditDecision> {
  const { settings, words } = await (edit.rules ? edit.rules.get() : readPostingRules(db));
  const screened = screenPost(words, { title: edit.title, body: edit.body });
  refuseBlocked(screened);
  refuseLinks(edit.viewer, edit.body, settings);
  const decision: EditDecision = { title: screened.title, body: screened.body, hold: [], flag: [] };
  if (hasRole(edit.viewer, 'moderator')) return decision;
  const had = screenPost(words, edit.before).found;
  decision.hold = screened.found.require_approval.filter((w) => !had.require_approval.includes(w));
  decision.flag = screened.found.flag.filter((w) => !had.flag.includes(w));
  return decision;
}

/** After an edit is written (in its transaction): a held edit leaves the public, a flagged one is queued. */
export async function afterEdit(tx: Db, postId: number, decision: EditDecision, at: Date) {
  if (decision.hold.length) {
    await holdPost(tx, postId, 'watched_word', at);
    await openPostItem(tx, { kind: 'watched_word', postId, detail: `Edited to add the watched ${decision.hold.length === 1 ? 'word' : 'words'}: ${decision.hold.join(', ')}.`, at });
  } else if (decision.flag.length) {
    await openPostItem(tx, { kind: 'watched_word', postId, detail: `Edited to add watched words to look at: ${decision.flag.join(', ')}.`, at });
  }
}

/** The registration form's field that people never see (and so never fill in). */
export const HONEYPOT_FIELD = 'website';

/** A registration form older than this is served again rather than accepted. */
const STAMP_MAX_AGE = 24 * HOUR;

/**
 * When the registration form was served, from its signed stamp, or null if the stamp is missing,
 * forged or too old. `unsign` is @fastify/cookie's unsigner (keyed by the session secret).
 */
export function stampTime(stamp: string | undefined, unsign: (v: string) => { valid: boolean; value: string | null }, now: Date): Date | null {
  if (!stamp) return null;
  const { valid, value } = unsign(stamp);
  if (!valid || !value || !/^\d{1,15}$/.test(value)) return null;
  const at = new Date(Number(value));
  const age = now.getTime() - at.getTime();
  return age >= 0 && age <= STAMP_MAX_AGE ? at : null;
}

/** Why a registration is taken for a bot's, or null: the honeypot was filled, or the form came back too fast or unstamped. */
export function registrationRefusal(form: { honeypot?: string; servedAt: Date | null }, now: Date, minSeconds: number): string | null {
  if (form.honeypot?.trim()) {
    return 'We could not create the account: a field people never see was filled in, as bots do. If you are a person, please submit the form again.';
  }
  if (!form.servedAt) return 'This form has expired or was changed. Please check your details and submit it again.';
  const left = Math.ceil((minSeconds * 1000 - (now.getTime() - form.servedAt.getTime())) / 1000);
  if (left > 0) return `That was faster than a person fills in this form. Please check your details, wait ${waitInWords(left)} and submit it again.`;
  return null;
}

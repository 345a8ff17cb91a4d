// Avatars: where each member's is, and what a letter avatar looks like, as pure functions, for the
// pages that show them (the {{avatar}} helper) and the routes that serve and keep them
// (server/profiles/). Every member has an avatar: the one they uploaded, or a letter on a colour
// drawn here. Both are named by hashes of what they are made of, so an address never changes its
// bytes and browsers keep them forever.
import { createHash } from 'node:crypto';

/** The sizes avatars are kept at: 48 for posts (24 shown on lists, from the same image), 96 and 192 for profiles and sharp screens. */
export const AVATAR_SIZES = [48, 96, 192] as const;
export type AvatarSize = (typeof AVATAR_SIZES)[number];

/** The image a size shown on a page is drawn from (twice it, for sharp screens, where kept). */
export function avatarSource(shown: number): { size: AvatarSize; dense: AvatarSize | null } {
  const size = AVATAR_SIZES.find((s) => s >= shown) ?? 192;
  const dense = AVATAR_SIZES.find((s) => s >= shown * 2) ?? null;
  return { size, dense: dense === size ? null : dense };
}

/** What a letter avatar is drawn from; a change of the drawing changes LETTER_VERSION, and so every address. */
const LETTER_VERSION = 'v1';

/** The hue (0–359) of a member's letter avatar, from their username in any case: the same member keeps their colour. */
export function hueOf(username: string): number {
  const digest = createHash('sha256').update(username.toLowerCase()).digest();
  return digest.readUInt16BE(0) % 360;
}

/** The letter a member is shown by: the first of their display name, else of their username. */
export function letterOf(m: { username: string; display_name?: string | null }): string {
  const name = (m.display_name ?? '').trim() || m.username;
  const first = [...name][0] ?? '?';
  return first.toLocaleUpperCase('en');
}

const letterHash = (hue: number, letter: string) => createHash('sha256').update(`${LETTER_VERSION}|${hue}|${letter}`).digest('hex').slice(0, 16);

/** `/avatars/<hue>-<code point>-<hash>.svg`: everything the drawing needs is in the address, checked by the hash. */
export function letterAvatarKey(m: { username: string; display_name?: string | null }): string {
  const hue = hueOf(m.username);
  const letter = letterOf(m);
  return `${hue}-${letter.codePointAt(0)!.toString(16)}-${letterHash(hue, letter)}.svg`;
}

/** The letter avatar a key names, or null when the key is not one this site makes. */
export function parseLetterKey(key: string): { hue: number; letter: string } | null {
  const m = /^(\d{1,3})-([0-9a-f]{1,6})-([0-9a-f]{16})\.svg$/.exec(key);
  if (!m) return null;
  const hue = Number(m[1]);
  const codePoint = parseInt(m[2], 16);
  if (hue >= 360 || codePoint > 0x10ffff) return null;
  const letter = String.fromCodePoint(codePoint);
  return letterHash(hue, letter) === m[3] ? { hue, letter } : null;
}

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * The letter avatar's SVG. Written here by hand: it is one square and one letter, and a library
 * for that would be larger than the drawing. The letter is escaped (a display name may start with
 * `<` or `&`); the document holds no script, no link and no reference outside itself.
 */
export function letterSvg(hue: number, letter: string): string {
  const shown = letter.replace(/[&<>"']/g, (c) => xmlEscapes[c]);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">` +
    `<rect width="64" height="64" fill="hsl(${hue} 45% 40%)"/>` +
    `<text x="32" y="32" dy="0.35em" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="32" font-weight="600" fill="#ffffff">${shown}</text>` +
    `</svg>`
  );
}

/** `/avatars/<hash>-<size>.webp`: an uploaded avatar at one of its sizes. */
export const uploadedAvatarKey = (hash: string, size: AvatarSize) => `${hash}-${size}.webp`;

export function parseUploadedKey(key: string): { hash: string; size: AvatarSize } | null {
  const m = /^([0-9a-f]{40})-(\d{2,3})\.webp$/.exec(key);
  if (!m) return null;
  const size = Number(m[2]) as AvatarSize;
  return AVATAR_SIZES.includes(size) ? { hash: m[1], size } : null;
}

/**
 * Where an uploaded avatar's image of one size is kept in the uploads' storage: a key of the
 * shape that storage takes (40 hex digits and an extension), derived from the avatar's hash, so
 * the row keeps one hash for all its sizes.
 */
export const avatarStorageKey = (hash: string, size: AvatarSize) => `${createHash('sha1').update(`avatar:${hash}:${size}`).digest('hex')}.webp`;

/** What a page needs of a member to show their avatar: the columns read with their name. */
export interface AvatarOwner {
  username: string;
  display_name?: string | null;
  avatar?: string | null;
}

/** The avatar's address at a size a page shows, and the denser one for sharp screens. */
export function avatarUrls(m: AvatarOwner, shown: number): { src: string; dense: string | null } {
  if (!m.avatar) return { src: `/avatars/${letterAvatarKey(m)}`, dense: null };
  const { size, dense } = avatarSource(shown);
  return { src: `/avatars/${uploadedAvatarKey(m.avatar, size)}`, dense: dense && `/avatars/${uploadedAvatarKey(m.avatar, dense)}` };
}

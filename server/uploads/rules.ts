// What an upload may be, and what it becomes in a post: pure functions of their inputs.
import type { UploadKind } from '../db/schema.ts';

// The kinds an admin may allow, named as the settings page names them.
export { kindNames, uploadKinds } from '../moderation/settings/upload-kinds.ts';

/** What the content turned out to be: its kind, served type and the extension its key gets. */
export interface Detected {
  kind: UploadKind;
  contentType: string;
  ext: string;
  /** What to call it in a message: "a PNG image". */
  label: string;
}

/** The types decided from the content (npm file-type's answer) that may be uploaded. */
export const detectedTypes: Record<string, Detected> = {
  'image/jpeg': { kind: 'image', contentType: 'image/jpeg', ext: 'jpg', label: 'a JPEG image' },
  'image/png': { kind: 'image', contentType: 'image/png', ext: 'png', label: 'a PNG image' },
  'image/webp': { kind: 'image', contentType: 'image/webp', ext: 'webp', label: 'a WebP image' },
  'image/gif': { kind: 'image', contentType: 'image/gif', ext: 'gif', label: 'a GIF image' },
  'application/pdf': { kind: 'pdf', contentType: 'application/pdf', ext: 'pdf', label: 'a PDF document' },
  'application/zip': { kind: 'zip', contentType: 'application/zip', ext: 'zip', label: 'a zip archive' },
};

export const plainText: Detected = { kind: 'text', contentType: 'text/plain; charset=utf-8', ext: 'txt', label: 'plain text' };

/** The name endings a file of each type may have; anything else is a mismatch. */
const namesFor: Record<string, string[]> = {
  jpg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png'],
  webp: ['webp'],
  gif: ['gif'],
  pdf: ['pdf'],
  zip: ['zip'],
  // A text file may have no ending at all (README, LICENSE).
  txt: ['txt', 'text', 'md', 'markdown', 'log', 'csv', 'tsv', ''],
};

/** The ending of a file name, lower-cased, without its dot ('' for none). */
export function nameEnding(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Why the file's name does not match its content, or null. */
export function nameMismatch(name: string, detected: Detected): string | null {
  const ending = nameEnding(name);
  if (namesFor[detected.ext]?.includes(ending)) return null;
  const said = ending ? `is named .${ending}` : 'has a name with no ending';
  return `This file ${said}, but its content is ${detected.label}. Files are taken for what they contain: rename it to match, or upload the file you meant.`;
}

/** A file name as it is kept and shown: no folders, no control characters, at most 120 characters. */
export function cleanName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"<>\\]/g, '').replace(/\s+/g, ' ').trim();
  if (!clean) return 'file';
  if (clean.length <= 120) return clean;
  const ending = nameEnding(clean);
  return ending && ending.length < 10 ? `${clean.slice(0, 119 - ending.length)}.${ending}` : clean.slice(0, 120);
}

/** The markdown that embeds an upload: an image shows, any other file is a link. */
export function markdownFor(upload: { key: string; name: string; kind: UploadKind }): string {
  // Brackets in the name would end the link's text early.
  const label = upload.name.replace(/[[\]\\]/g, '');
  return `${upload.kind === 'image' ? '!' : ''}[${label}](/uploads/${upload.key})`;
}

const KEY_IN_TEXT = /\/uploads\/([0-9a-f]{40}(?:\.thumb)?\.[a-z0-9]{1,5})\b/g;

/** The upload keys a post's markdown names (a thumbnail counts as its image), each once. */
export function referencedKeys(markdown: string): string[] {
  const keys = new Set<string>();
  for (const m of markdown.matchAll(KEY_IN_TEXT)) keys.add(m[1].replace('.thumb.', '.'));
  return [...keys];
}

/** The value of a per-rank setting for a rank (the last one for ranks beyond the list). */
export const forRank = (list: number[], rank: number) => list[Math.min(Math.max(rank, 0), list.length - 1)];

export const MB = 1024 * 1024;

export const sizeInWords = (bytes: number) => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** Why the member may not upload this many bytes today (a rolling day), or null. */
export function quotaRefusal(usedToday: number, size: number, dailyMb: number): string | null {
  const quota = dailyMb * MB;
  if (usedToday + size <= quota) return null;
  const left = Math.max(0, quota - usedToday);
  return `You have uploaded ${sizeInWords(usedToday)} in the last 24 hours; the daily quota is ${dailyMb} MB (${sizeInWords(left)} left). Please try again later.`;
}

/** Why a post may not hold this many of its writer's uploads, or null. */
export function perPostRefusal(count: number, allowed: number): string | null {
  if (count <= allowed) return null;
  return `A post of yours may hold at most ${allowed} ${allowed === 1 ? 'upload' : 'uploads'} (this one has ${count}). Please take some out; the limit grows with your rank.`;
}

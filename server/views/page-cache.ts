// Rendered pages for guests, kept until a write changes them; and, kept the same way, what the
// pages of members share (server/views/member-parts.ts) and what is kept of each member
// (server/sessions/store.ts, server/threads/member-page.ts; migrations/0024).
//
// A page depends on scopes (thread:<id>, category:<id>, home). The change bus
// (server/cache/change-bus.ts) notes when each scope last changed, as announced by the
// database, so a page read before a change of one of its scopes is never served again, in any
// process; while the bus is not listening, nothing is served from here nor kept. A request that
// wrote waits until its own announcements have come back (sync) before it answers, so the page
// it leads to is fresh. Pages also expire after a minute, for what they show that no write
// announces ("5 min ago", a member's rank, a pin's end date).
//
// Each store has its own switch (CacheSwitches, server/app.ts): a store switched off keeps
// nothing, and the bus runs while any store is on.
//
// A kept page is the same bytes for every guest: it carries no CSRF token (a guest posts nothing
// from a list or a thread; the sign-in and registration pages, which are not kept, give one), so
// it is kept encoded, with its ETag, and compressed at most once per encoding.
import { createHash, randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { ChangeBus, Snapshot } from '../cache/change-bus.ts';

export type { Snapshot } from '../cache/change-bus.ts';

/** Which stores keep anything (all by default); see docs/scaling.md. */
export interface CacheSwitches {
  /** Rendered guest pages (here). */
  guestPages: boolean;
  /** The thread pages members share, and each member's own parts of them (server/threads/member-page.ts). */
  memberPages: boolean;
  /** Signed-in members' sessions (server/sessions/store.ts). */
  sessions: boolean;
  /** The moderation settings and watched words (server/moderation/posting-rules.ts). */
  settings: boolean;
}

const TTL_MS = 60_000;
/** Stands for the CSRF token while a page to be kept renders: where it lands tells whether the page may be kept. */
export const TOKEN_SLOT = `csrf-slot-${randomBytes(8).toString('hex')}`;
/** The one place a kept page may have had the token: the layout's meta tag, which it then leaves out. */
const TOKEN_META = `<meta name="csrf-token" content="${TOKEN_SLOT}">`;

/** What a cached page is sent with, besides its text: its headers, and what a hit counts. */
export interface PageExtras {
  headers: Record<string, string>;
  onHit?: (req: import('fastify').FastifyRequest) => void;
}

interface Kept {
  snapshot: Snapshot;
  expires: number;
}

interface Entry extends PageExtras, Kept {
  body: Buffer;
  etag: string;
  /** Compressed copies, made on the first request that accepts each. */
  br?: Buffer;
  gzip?: Buffer;
}

/** What a guest's page is sent as, kept or not: one ETag for one text. */
export function etagOf(body: Buffer | string): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * The page as guests get it: without the token's meta tag. Undefined when the token is
 * anywhere else (a form that posts): such a page is not the same for every guest.
 */
export function guestCopy(html: string): string | undefined {
  const at = html.indexOf(TOKEN_META);
  const rest = at < 0 ? html : html.slice(0, at) + html.slice(at + TOKEN_META.length);
  return rest.includes(TOKEN_SLOT) ? undefined : rest;
}

/** The kept page in the best encoding the request accepts (brotli, then gzip). */
export function encodedBody(entry: Entry, acceptEncoding: string | undefined): { body: Buffer; encoding?: 'br' | 'gzip' } {
  if (!acceptEncoding) return { body: entry.body };
  if (/\bbr\b/.test(acceptEncoding)) {
    entry.br ??= brotliCompressSync(entry.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
    return { body: entry.br, encoding: 'br' };
  }
  if (/\bgzip\b/.test(acceptEncoding)) {
    entry.gzip ??= gzipSync(entry.body, { level: 9 });
    return { body: entry.gzip, encoding: 'gzip' };
  }
  return { body: entry.body };
}

export class PageCache {
  private entries = new Map<string, Entry>();
  /** Other things kept the same way: pages shared by members (server/views/member-parts.ts), sessions. */
  private values = new Map<string, Kept & { value: unknown }>();

  constructor(
    readonly bus: ChangeBus,
    readonly stores: CacheSwitches,
    private max = 2000,
  ) {
    bus.whenLost(() => {
      this.entries.clear();
      this.values.clear();
    });
  }

  /** Whether changes are heard now: while not, nothing is served from here nor kept. */
  get listening() {
    return this.bus.listening;
  }

  /** How many guest pages are kept. */
  get size() {
    return this.entries.size;
  }

  /** See ChangeBus.version. */
  version(scope: string): number | undefined {
    return this.bus.version(scope);
  }

  /** Taken before a page reads the database: these scopes (and `all`) as of now. */
  snapshot(scopes: string[]): Snapshot {
    return this.bus.snapshot(scopes);
  }

  /** Not expired, and no scope it was read under has changed since. */
  private fresh(kept: Kept) {
    return kept.expires >= Date.now() && this.bus.current(kept.snapshot);
  }

  /** The page kept under this key, if it is still current. */
  lookup(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.fresh(entry)) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** A value kept with keep(), if what it was read from has not changed since. */
  find<T>(key: string): T | undefined {
    const kept = this.values.get(key);
    if (!kept || this.fresh(kept)) return kept?.value as T | undefined;
    this.values.delete(key);
    return undefined;
  }

  /** Keeps a value read after this snapshot, for as long as a page (unless it is already old). */
  keep(key: string, value: unknown, snapshot: Snapshot) {
    if (!this.bus.current(snapshot)) return;
    if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, { value, snapshot, expires: Date.now() + TTL_MS });
  }

  /** Drops a kept value (this process changed it, and will not wait to hear so). */
  forget(key: string) {
    this.values.delete(key);
  }

  /** Keeps a guest's page (guestCopy) rendered after this snapshot, if guest pages are kept. */
  set(key: string, body: Buffer, snapshot: Snapshot, extras: PageExtras & { etag?: string } = { headers: {} }) {
    if (!this.stores.guestPages || !this.bus.current(snapshot)) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...extras, body, etag: extras.etag ?? etagOf(body), snapshot, expires: Date.now() + TTL_MS });
  }

  /** See ChangeBus.sync: a write's own announcements are back. */
  sync(): Promise<void> {
    return this.bus.sync();
  }
}

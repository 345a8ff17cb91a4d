// Guests' pages: rendered once, kept until a write changes them, served to every guest (by
// reply.cached and the early hook in server/views/index.ts).
//
// A page depends on scopes (thread:<id>, category:<id>, home); a page read before a change of
// one of them is never served again, in any process (server/cache/kept.ts). A request that
// wrote waits until its own announcements have come back (Caches.sync) before it answers, so
// the page it leads to is fresh.
//
// A kept page is the same bytes for every guest: it carries no CSRF token (a guest posts nothing
// from a list or a thread; the sign-in and registration pages, which are not kept, give one), so
// it is kept encoded, with its ETag, and compressed at most once per encoding.
import { createHash, randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import type { ChangeBus } from './change-bus.ts';
import { Kept, type Snapshot } from './kept.ts';

/** Stands for the CSRF token while a page to be kept renders: where it lands tells whether the page may be kept. */
export const TOKEN_SLOT = `csrf-slot-${randomBytes(8).toString('hex')}`;
/** The one place a kept page may have had the token: the layout's meta tag, which it then leaves out. */
const TOKEN_META = `<meta name="csrf-token" content="${TOKEN_SLOT}">`;

/** What a kept page is sent with, besides its text: its headers, and what a hit counts. */
export interface PageExtras {
  headers: Record<string, string>;
  onHit?: (req: FastifyRequest) => void;
}

export interface GuestPage extends PageExtras {
  body: Buffer;
  etag: string;
  /**
   * When the page stops being right whatever is announced, by the app's clock (app.now), in ms:
   * the end of the banner it shows, which no write announces.
   */
  until?: number;
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
export function encodedBody(page: GuestPage, acceptEncoding: string | undefined): { body: Buffer; encoding?: 'br' | 'gzip' } {
  if (!acceptEncoding) return { body: page.body };
  if (/\bbr\b/.test(acceptEncoding)) {
    page.br ??= brotliCompressSync(page.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
    return { body: page.br, encoding: 'br' };
  }
  if (/\bgzip\b/.test(acceptEncoding)) {
    page.gzip ??= gzipSync(page.body, { level: 9 });
    return { body: page.gzip, encoding: 'gzip' };
  }
  return { body: page.body };
}

/** The guest pages kept by this process, by address. */
export class GuestPages {
  private pages: Kept<GuestPage>;

  constructor(bus: ChangeBus, on: boolean) {
    this.pages = new Kept(bus, on);
  }

  /** Whether guests' pages are kept at all (cache.guestPages). */
  get on() {
    return this.pages.on;
  }

  /** How many pages are kept. */
  get size() {
    return this.pages.size;
  }

  /** Taken before a page reads the database: the scopes it shows, as of now. */
  snapshot(scopes: string[]): Snapshot {
    return this.pages.snapshot(scopes);
  }

  /** The page kept under this key (its address, server/site/banner.ts guestPageKey), if it is still current at `now`. */
  lookup(key: string, now: Date = new Date()): GuestPage | undefined {
    const page = this.pages.find(key);
    if (page?.until !== undefined && now.getTime() >= page.until) {
      this.pages.forget(key);
      return undefined;
    }
    return page;
  }

  /** Keeps a guest's page (guestCopy) rendered after this snapshot. */
  keep(key: string, body: Buffer, snapshot: Snapshot, extras: PageExtras & { etag?: string; until?: number } = { headers: {} }) {
    this.pages.keep(key, { ...extras, body, etag: extras.etag ?? etagOf(body) }, snapshot);
  }
}

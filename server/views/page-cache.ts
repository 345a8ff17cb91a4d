// Rendered pages for guests, kept until a write changes them; and, kept the same way, what the
// pages of members share (server/views/member-parts.ts) and what is kept of each member
// (server/sessions/store.ts, server/threads/member-page.ts; migrations/0024).
//
// A page depends on scopes (thread:<id>, category:<id>, home). Database triggers announce the
// scopes a committed write touches on the `hearth_pages` channel (migrations/0015); every app
// process listens and notes when each scope last changed, so a page read before a change of one
// of its scopes is never served again, in any process. A request that wrote waits until its own
// announcements have come back (sync) before it answers, so the page it leads to is fresh.
// Pages also expire after a minute, for what they show that no write announces ("5 min ago",
// a member's rank, a pin's end date).
//
// A kept page is the same bytes for every guest: it carries no CSRF token (a guest posts nothing
// from a list or a thread; the sign-in and registration pages, which are not kept, give one), so
// it is kept encoded, with its ETag, and compressed at most once per encoding.
import { createHash, randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import pg from 'pg';

const CHANNEL = 'hearth_pages';
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

/**
 * When something was read, and what it shows: it stays good while none of its scopes has
 * changed since. Scopes learnt during the read (whose session it was) may be added after.
 */
export interface Snapshot {
  mark: number;
  scopes: string[];
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
  /** Announcements heard so far, and for each scope the count when it last changed. */
  private heard = 0;
  private changed = new Map<string, number>();
  private entries = new Map<string, Entry>();
  /** Other things kept the same way: pages shared by members (server/views/member-parts.ts). */
  private values = new Map<string, Kept & { value: unknown }>();
  private waiting = new Map<string, () => void>();
  private client: pg.Client | null = null;
  /** Without a working listener nothing is cached: a page could go stale unnoticed. */
  private listening = false;

  constructor(
    private url: string,
    private max = 2000,
  ) {}

  async start() {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => this.stopListening());
    client.on('end', () => this.stopListening());
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      if (n.payload.startsWith('sync:')) {
        this.waiting.get(n.payload)?.();
        return;
      }
      this.heard++;
      for (const scope of n.payload.split(',')) this.changed.set(scope, this.heard);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
    this.listening = true;
  }

  private stopListening() {
    this.listening = false;
    this.entries.clear();
    this.values.clear();
    for (const done of this.waiting.values()) done();
  }

  async close() {
    this.listening = false;
    await this.client?.end().catch(() => {});
  }

  /**
   * A number that moves whenever this scope changes, for other caches kept the same way (the
   * moderation settings); undefined while nothing is heard, when nothing may be kept.
   */
  version(scope: string): number | undefined {
    return this.listening ? (this.changed.get(scope) ?? 0) : undefined;
  }

  /** Taken before a page reads the database: these scopes (and `all`) as of now. */
  snapshot(scopes: string[]): Snapshot {
    return { mark: this.heard, scopes: [...scopes, 'all'] };
  }

  /** Not expired, and no scope it was read under has changed since. */
  private fresh(kept: Kept) {
    return kept.expires >= Date.now() && kept.snapshot.scopes.every((s) => (this.changed.get(s) ?? 0) <= kept.snapshot.mark);
  }

  /** The page kept under this key, if it is still current. */
  lookup(key: string): Entry | undefined {
    if (!this.listening) return undefined;
    const entry = this.entries.get(key);
    if (!entry || this.fresh(entry)) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** A value kept with keep(), if what it was read from has not changed since. */
  find<T>(key: string): T | undefined {
    if (!this.listening) return undefined;
    const kept = this.values.get(key);
    if (!kept || this.fresh(kept)) return kept?.value as T | undefined;
    this.values.delete(key);
    return undefined;
  }

  /** Keeps a value read after this snapshot, for as long as a page. */
  keep(key: string, value: unknown, snapshot: Snapshot) {
    if (!this.listening) return;
    if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, { value, snapshot, expires: Date.now() + TTL_MS });
  }

  /** Drops a kept value (this process changed it, and will not wait to hear so). */
  forget(key: string) {
    this.values.delete(key);
  }

  /** Keeps a guest's page (guestCopy) rendered after this snapshot. */
  set(key: string, body: Buffer, snapshot: Snapshot, extras: PageExtras & { etag?: string } = { headers: {} }) {
    if (!this.listening) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...extras, body, etag: extras.etag ?? etagOf(body), snapshot, expires: Date.now() + TTL_MS });
  }

  /**
   * Resolves once every announcement committed before now has reached this process: the
   * marker sent here is delivered after them, as notifications arrive in commit order.
   */
  async sync(): Promise<void> {
    if (!this.listening || !this.client) return;
    const marker = `sync:${randomBytes(6).toString('hex')}`;
    const arrived = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.waiting.set(marker, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.client.query('select pg_notify($1, $2)', [CHANNEL, marker]);
    await arrived;
    this.waiting.delete(marker);
  }
}

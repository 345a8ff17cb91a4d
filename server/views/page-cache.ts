// Rendered pages for guests, kept until a write changes them.
//
// A page depends on scopes (thread:<id>, category:<id>, home). Database triggers announce the
// scopes a committed write touches on the `hearth_pages` channel (migrations/0015); every app
// process listens and bumps its version of each scope, so a cached page rendered under an older
// version is never served again, in any process. A request that wrote waits until its own
// announcements have come back (sync) before it answers, so the page it leads to is fresh.
// Pages also expire after a minute, for what they show that no write announces ("5 min ago",
// a member's rank, a pin's end date).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const CHANNEL = 'hearth_pages';
const TTL_MS = 60_000;
/** Stands for the request's CSRF token in a cached page. */
export const TOKEN_SLOT = `csrf-slot-${randomBytes(8).toString('hex')}`;

/** What a cached page is sent with, besides its text: its headers, and what a hit counts. */
export interface PageExtras {
  headers: Record<string, string>;
  onHit?: (req: import('fastify').FastifyRequest) => void;
}

interface Entry extends PageExtras {
  head: string;
  tail: string;
  versions: [string, number][];
  expires: number;
}

export class PageCache {
  private versions = new Map<string, number>();
  private entries = new Map<string, Entry>();
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
      for (const scope of n.payload.split(',')) this.versions.set(scope, (this.versions.get(scope) ?? 0) + 1);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
    this.listening = true;
  }

  private stopListening() {
    this.listening = false;
    this.entries.clear();
    for (const done of this.waiting.values()) done();
  }

  async close() {
    this.listening = false;
    await this.client?.end().catch(() => {});
  }

  /**
   * How many changes of this scope have been announced, for other caches kept the same way (the
   * moderation settings); undefined while nothing is heard, when nothing may be kept.
   */
  version(scope: string): number | undefined {
    return this.listening ? (this.versions.get(scope) ?? 0) : undefined;
  }

  /** The versions of these scopes (and of `all`) now: taken before a page reads the database. */
  snapshot(scopes: string[]): [string, number][] {
    return [...scopes, 'all'].map((s) => [s, this.versions.get(s) ?? 0]);
  }

  /** The page kept under this key, if it is still current. */
  lookup(key: string): Readonly<Entry> | undefined {
    if (!this.listening) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now() || entry.versions.some(([s, v]) => (this.versions.get(s) ?? 0) !== v)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key: string, token: string): string | undefined {
    const entry = this.lookup(key);
    return entry && entry.head + token + entry.tail;
  }

  /** Keeps a page rendered with TOKEN_SLOT in place of its token, under the versions it was read at. */
  set(key: string, html: string, versions: [string, number][], extras: PageExtras = { headers: {} }) {
    if (!this.listening) return;
    const at = html.indexOf(TOKEN_SLOT);
    if (at < 0 || html.indexOf(TOKEN_SLOT, at + 1) >= 0) return; // one slot, in the meta tag
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...extras, head: html.slice(0, at), tail: html.slice(at + TOKEN_SLOT.length), versions, expires: Date.now() + TTL_MS });
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

// The change bus. Database triggers announce, on the `hearth_pages` channel, the scopes every
// committed write touches (thread:<id>, category:<id>, home, user:<id>, reads:<id>, queue,
// viewers, moderation, all; migrations 0015, 0021, 0024). Every app process listens on one
// connection of its own and notes when each scope last changed, so that what its stores keep
// (beside this file: guest pages, guest-pages.ts; members' shared pages and their facts,
// member-pages.ts; members' sessions, sessions.ts; the moderation settings, settings.ts; see
// index.ts) is trusted only while none of the scopes it was read under has changed since.
//
// The listening connection can drop (a database restart, a failover, a proxy cutting it), and
// whatever is announced meanwhile is lost. So while it is down nothing is trusted or kept —
// every store answers "not kept" and the process reads the database, slower but right — and
// it tries again, 100 ms after the drop and doubling up to 10 s, each wait jittered so that
// the processes of a cluster do not all come back at the same instant. Once it listens again,
// every scope counts as changed at that moment: nothing read before the gap is trusted.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';

export const CHANNEL = 'hearth_pages';
/** How the listening connection shows in pg_stat_activity. */
export const APPLICATION_NAME = 'hearth-change-bus';

/**
 * When something was read, and what it shows: it stays good while none of its scopes has
 * changed since. Scopes learnt during the read (whose session it was) may be added after.
 */
export interface Snapshot {
  mark: number;
  scopes: string[];
}

/** How soon to try again after the connection is lost: `firstMs`, doubling, at most `maxMs`. */
export interface Retry {
  firstMs: number;
  maxMs: number;
}

const DEFAULT_RETRY: Retry = { firstMs: 100, maxMs: 10_000 };
/** A write waits this long at most for its own announcements to come back (sync). */
const SYNC_WAIT_MS = 1000;

/** The wait before try `attempt` (0 for the first): the doubled delay, less up to half of it at random. */
export function retryDelay(attempt: number, retry: Retry, random: number): number {
  const full = Math.min(retry.maxMs, retry.firstMs * 2 ** attempt);
  return Math.round(full * (0.5 + random / 2));
}

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'>;

export class ChangeBus {
  /** Announcements heard so far, and for each scope the count when it last changed. */
  private heard = 0;
  private changed = new Map<string, number>();
  /** The count when the connection last came back: every scope changed then. */
  private resumed = 0;
  private waiting = new Map<string, () => void>();
  /** The marker last sent or to be sent (sync), and the one not sent yet that writes asking now share. */
  private markerOut: Promise<void> = Promise.resolve();
  private nextMarker: Promise<void> | null = null;
  private client: pg.Client | null = null;
  private up = false;
  private closing = false;
  private attempts = 0;
  private lostAt = 0;
  private retryTimer?: NodeJS.Timeout;
  private reconnecting?: Promise<void>;
  private onLost: (() => void)[] = [];

  constructor(
    private url: string,
    private log: Log,
    private retry: Retry = DEFAULT_RETRY,
  ) {}

  /** Whether changes are heard now; while not, nothing may be kept. */
  get listening() {
    return this.up;
  }

  /** Called whenever the connection is lost: stores let go of everything they keep. */
  whenLost(forget: () => void) {
    this.onLost.push(forget);
  }

  /** Listens once before the app starts; an unreachable database stops the start. */
  async start() {
    this.client = await this.listen();
    this.up = true;
  }

  private async listen(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, application_name: APPLICATION_NAME });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    client.on('notification', (n) => this.heardOf(n));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (err) {
      await client.end();
      throw err;
    }
    return client;
  }

  private heardOf(n: pg.Notification) {
    if (n.channel !== CHANNEL || !n.payload) return;
    if (n.payload.startsWith('sync:')) {
      this.waiting.get(n.payload)?.();
      return;
    }
    this.heard++;
    for (const scope of n.payload.split(',')) this.changed.set(scope, this.heard);
  }

  /** The connection in use failed or ended: stop trusting, say so, and try again. */
  private lost(client: pg.Client, err: Error) {
    if (client !== this.client) return;
    this.client = null;
    this.up = false;
    for (const done of this.waiting.values()) done();
    for (const forget of this.onLost) forget();
    // A client that reported an error may still hold its socket.
    void client.end();
    if (this.closing) return;
    this.lostAt = Date.now();
    this.log.warn({ err }, 'change bus: the listening connection was lost; serving uncached until it is back');
    this.tryAgainLater();
  }

  private tryAgainLater() {
    const delay = retryDelay(this.attempts++, this.retry, Math.random());
    // Not unref'd: a process that has nothing else to do still has this (close() clears it).
    this.retryTimer = setTimeout(() => (this.reconnecting = this.reconnect()), delay);
  }

  private async reconnect() {
    let client: pg.Client;
    try {
      client = await this.listen();
    } catch (err) {
      if (this.closing) return;
      this.log.warn({ err, attempts: this.attempts }, 'change bus: could not listen again; trying again');
      this.tryAgainLater();
      return;
    }
    if (this.closing) {
      await client.end();
      return;
    }
    this.client = client;
    // Announcements made while down are lost: everything changed, as far as anyone can tell.
    this.resumed = ++this.heard;
    this.up = true;
    this.log.info(
      { attempts: this.attempts, downMs: Date.now() - this.lostAt },
      'change bus: listening again; everything kept before the gap is read again',
    );
    this.attempts = 0;
  }

  async close() {
    this.closing = true;
    clearTimeout(this.retryTimer);
    await this.reconnecting;
    const client = this.client;
    this.client = null;
    this.up = false;
    for (const done of this.waiting.values()) done();
    await client?.end();
  }

  private lastChange(scope: string) {
    return Math.max(this.changed.get(scope) ?? 0, this.resumed);
  }

  /**
   * A number that moves whenever this scope changes, for caches that keep one copy (the
   * moderation settings); undefined while nothing is heard, when nothing may be kept.
   */
  version(scope: string): number | undefined {
    return this.up ? this.lastChange(scope) : undefined;
  }

  /** Taken before reading the database: these scopes (and `all`) as of now. */
  snapshot(scopes: string[]): Snapshot {
    return { mark: this.heard, scopes: [...scopes, 'all'] };
  }

  /** Listening, and no scope of the snapshot has changed since it was taken. */
  current(snapshot: Snapshot): boolean {
    return this.up && snapshot.scopes.every((s) => this.lastChange(s) <= snapshot.mark);
  }

  /**
   * Resolves once every announcement committed before now has reached this process: the
   * marker sent here is delivered after them, as notifications arrive in commit order.
   *
   * Writes ask together (every write answered asks), so they share markers: those asking while
   * a marker is on its way share the next one, sent once it is back. That marker is sent after
   * all of them asked, so after their commits, and it answers them all: one round trip on the
   * listening connection for however many writes, where a marker each queued them one behind
   * another (130 ms of a vote's 190 under load in the bench).
   */
  sync(): Promise<void> {
    if (!this.up || !this.client) return Promise.resolve();
    if (this.nextMarker) return this.nextMarker;
    const next: Promise<void> = this.markerOut.then(() => {
      // Sent from here on: whoever asks now waits for the marker after this one.
      if (this.nextMarker === next) this.nextMarker = null;
      return this.sendMarker();
    });
    this.nextMarker = next;
    this.markerOut = next;
    return next;
  }

  /** Sends one marker and waits for it (at most SYNC_WAIT_MS); never rejects, a failure is logged. */
  private async sendMarker(): Promise<void> {
    const client = this.client;
    if (!this.up || !client) return;
    const marker = `sync:${randomBytes(6).toString('hex')}`;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), SYNC_WAIT_MS);
      this.waiting.set(marker, () => resolve(true));
    });
    try {
      await client.query('select pg_notify($1, $2)', [CHANNEL, marker]);
      if (!(await arrived)) this.log.warn(`change bus: a write's announcements took over ${SYNC_WAIT_MS} ms to come back; answering without them`);
    } catch (err) {
      // The connection failed under the marker: lost like any other way (and logged there).
      this.lost(client, err as Error);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(marker);
    }
  }
}

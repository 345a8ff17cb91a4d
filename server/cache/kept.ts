// What the stores of the cache home have in common: values read after a snapshot of the change
// bus (server/cache/change-bus.ts), trusted while none of the snapshot's scopes has changed
// since and for a minute at most (for what no write announces: "5 min ago", a pin's end date).
// While the bus is not listening nothing is trusted nor kept, and when its connection drops
// everything kept is let go. A store switched off (CacheSwitches) keeps nothing.
//
// Each store owns its own Kept; features reach a store through its exported functions only.
import type { ChangeBus, Snapshot } from './change-bus.ts';

export type { Snapshot } from './change-bus.ts';

const TTL_MS = 60_000;

interface Entry<T> {
  value: T;
  snapshot: Snapshot;
  expires: number;
}

export class Kept<T> {
  private entries = new Map<string, Entry<T>>();

  constructor(
    private bus: ChangeBus,
    /** Whether this store keeps anything (its switch). */
    readonly on: boolean,
    private max = 2000,
  ) {
    bus.whenLost(() => this.entries.clear());
  }

  /** How many values are kept. */
  get size() {
    return this.entries.size;
  }

  /** Taken before reading the database: these scopes (and `all`) as of now. */
  snapshot(scopes: string[]): Snapshot {
    return this.bus.snapshot(scopes);
  }

  /** The value kept under this key, if nothing it was read from has changed since. */
  find(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires >= Date.now() && this.bus.current(entry.snapshot)) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps a value read after this snapshot (unless the store is off, or the value already old). */
  keep(key: string, value: T, snapshot: Snapshot) {
    if (!this.on || !this.bus.current(snapshot)) return;
    // The oldest goes first: a Map iterates in insertion order.
    if (this.entries.size >= this.max && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, snapshot, expires: Date.now() + TTL_MS });
  }

  /** Drops a kept value (this process changed it, and will not wait to hear so). */
  forget(key: string) {
    this.entries.delete(key);
  }
}

// Settings every process reads often and admins change seldom (the moderation settings and
// watched words, server/moderation/posting/posting-rules.ts; what every page shows of the site,
// its name and banner, server/site/site.ts): one copy per scope, read again once a change to its
// scope is announced (migrations/0021, 0042). While nothing is heard (the change bus
// is down, or cache.settings is off) they are read every time they are asked for.
import type { ChangeBus } from './change-bus.ts';

export class KeptSettings {
  private kept = new Map<string, { version: number; value: Promise<unknown> }>();

  constructor(
    /** What tells when a scope last changed (the change bus; a test's stand-in). */
    private bus: Pick<ChangeBus, 'version'>,
    /** Whether settings are kept at all (cache.settings). */
    readonly on: boolean,
  ) {}

  /** The copy of what `scope` announces changes of, or a new one from `read`. */
  get<T>(scope: string, read: () => Promise<T>): Promise<T> {
    // The version is taken before reading: a change landing meanwhile makes this copy old at once.
    const version = this.on ? this.bus.version(scope) : undefined;
    if (version === undefined) return read();
    const kept = this.kept.get(scope);
    if (kept?.version === version) return kept.value as Promise<T>;
    const value = read();
    const entry = { version, value };
    this.kept.set(scope, entry);
    // The caller gets the error; this copy is only forgotten, so that the next one reads again.
    value.catch(() => {
      if (this.kept.get(scope) === entry) this.kept.delete(scope);
    });
    return value;
  }
}

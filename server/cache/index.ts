// The cache home: what a process keeps in memory, each store beside the change bus that tells
// it when its copies are old (docs/scaling.md).
//
//   change-bus.ts    the listening connection: which scopes changed, and when (LISTEN/NOTIFY)
//   kept.ts          what the stores below share: values trusted while their scopes are unchanged
//   guest-pages.ts   rendered guests' pages, by address
//   member-pages.ts  thread pages shared by plain members, and each member's facts for them
//   sessions.ts      signed-in members' sessions, with the member
//   settings.ts      the moderation settings and watched words; the site's name and banner
//
// Built once per app (server/app.ts, `app.pageCache`); features use the stores' functions and
// never each other's maps. Each store has its own switch; the bus runs while any is on.
import type { ChangeBus } from './change-bus.ts';
import { GuestPages } from './guest-pages.ts';
import { MemberPages } from './member-pages.ts';
import { KeptSessions } from './sessions.ts';
import { KeptSettings } from './settings.ts';

/** Which stores keep anything (all by default); see docs/scaling.md. */
export interface CacheSwitches {
  /** Rendered guest pages (guest-pages.ts). */
  guestPages: boolean;
  /** The thread pages members share, and each member's own parts of them (member-pages.ts). */
  memberPages: boolean;
  /** Signed-in members' sessions (sessions.ts). */
  sessions: boolean;
  /** The moderation settings and watched words (settings.ts). */
  settings: boolean;
}

export class Caches {
  readonly guestPages: GuestPages;
  readonly memberPages: MemberPages;
  readonly sessions: KeptSessions;
  readonly settings: KeptSettings;

  constructor(
    private bus: ChangeBus,
    readonly switches: CacheSwitches,
  ) {
    this.guestPages = new GuestPages(bus, switches.guestPages);
    this.memberPages = new MemberPages(bus, switches.memberPages);
    this.sessions = new KeptSessions(bus, switches.sessions);
    this.settings = new KeptSettings(bus, switches.settings);
  }

  /** Whether changes are heard now: while not, nothing is served from any store nor kept. */
  get listening() {
    return this.bus.listening;
  }

  /** Resolves once this process has heard every change committed before now (ChangeBus.sync). */
  sync(): Promise<void> {
    return this.bus.sync();
  }
}

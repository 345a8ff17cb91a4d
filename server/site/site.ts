// What every page's layout shows of the site: its name and logo, who may register (the Join
// link), and the banner in force. Read on every page, changed seldom: each process keeps one
// copy (server/cache/settings.ts), read again once a change is announced under `site`
// (migrations/0042: the settings the pages show, and any banner written). While nothing is heard
// it is read for every page. The guidelines page's cooked text rides along, cooked once a change.
import type { KeptSettings } from '../cache/settings.ts';
import type { Db } from '../db/index.ts';
import { loadSettings, type Settings } from '../moderation/settings/queries.ts';
import { cook } from '../text/cook.ts';
import { currentBanner, type Banner } from './banner.ts';

export const SCOPE = 'site';

export interface SiteFacts {
  name: string;
  description: string;
  logoUrl: string;
  brandLabel: string;
  registrationMode: Settings['registration_mode'];
  /** The guidelines, cooked and sanitised (server/text/cook.ts). */
  guidelinesHtml: string;
  /** The newest banner not removed, whether or not it has ended: the clock decides where it is shown. */
  banner: Banner | null;
}

async function read(db: Db): Promise<SiteFacts> {
  const [settings, banner] = await Promise.all([loadSettings(db), currentBanner(db)]);
  return {
    name: settings.site_name,
    description: settings.site_description,
    logoUrl: settings.logo_url,
    brandLabel: settings.brand_label,
    registrationMode: settings.registration_mode,
    guidelinesHtml: cook(settings.guidelines),
    banner,
  };
}

export class Site {
  constructor(
    private db: Db,
    /** Where the process keeps its copy; none when no cache runs (every page reads it). */
    private kept: KeptSettings | null,
  ) {}

  get(): Promise<SiteFacts> {
    return this.kept ? this.kept.get(SCOPE, () => read(this.db)) : read(this.db);
  }
}

/** The banner as a page at `now` shows it: null once it has ended. */
export function bannerInForce(banner: Banner | null, now: Date): Banner | null {
  return banner && (banner.endsAt === null || banner.endsAt > now) ? banner : null;
}

// The settings and watched words every new post is checked against, kept in memory per process
// (server/cache/settings.ts) and read again when a change is announced (migrations/0021). While
// nothing is heard (the change bus is down or off, or `cache.settings` is off) they are read for
// every post.
import type { KeptSettings } from '../../cache/settings.ts';
import type { Db } from '../../db/index.ts';
import { loadSettings, type Settings } from '../settings/queries.ts';
import { wordsToWatch, type WatchedWord } from './watched-words.ts';

export interface PostingRuleSet {
  settings: Settings;
  words: WatchedWord[];
}

export const SCOPE = 'moderation';

async function read(db: Db): Promise<PostingRuleSet> {
  const [settings, words] = await Promise.all([loadSettings(db), wordsToWatch(db)]);
  return { settings, words };
}

export class PostingRules {
  constructor(
    private db: Db,
    /** Where the process keeps its copy; none when no cache runs (every post reads them). */
    private kept: KeptSettings | null,
  ) {}

  get(): Promise<PostingRuleSet> {
    return this.kept ? this.kept.get(SCOPE, () => read(this.db)) : read(this.db);
  }
}

/** For callers without a process's copy (scripts, tests of the rules): read them now. */
export const readPostingRules = read;

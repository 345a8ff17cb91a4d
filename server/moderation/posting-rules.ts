// The settings and watched words every new post is checked against, kept in memory per process
// and read again when a change is announced (migrations/0021). While nothing is heard (the change
// bus is down or off, or `cache.settings` is off) they are read for every post.
import type { Db } from '../db/index.ts';
import { loadSettings, type Settings } from './settings.ts';
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
  private kept?: { version: number; rules: Promise<PostingRuleSet> };

  constructor(
    private db: Db,
    private version: () => number | undefined,
  ) {}

  get(): Promise<PostingRuleSet> {
    // The version is taken before reading: a change landing meanwhile makes this copy old at once.
    const version = this.version();
    if (version === undefined) return read(this.db);
    if (this.kept?.version === version) return this.kept.rules;
    const rules = read(this.db);
    const kept = { version, rules };
    this.kept = kept;
    // The caller gets the error; this copy is only forgotten, so that the next post reads again.
    rules.catch(() => {
      if (this.kept === kept) this.kept = undefined;
    });
    return rules;
  }
}

/** For callers without a process's copy (scripts, tests of the rules): read them now. */
export const readPostingRules = read;

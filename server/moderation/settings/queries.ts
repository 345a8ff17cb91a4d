// Settings admins change from /admin/settings, kept in the `settings` table; a missing key reads
// as its default. Defaults start from ../REFERENCE numbers (see README, Moderation).
import type { Db } from '../../db/index.ts';
import { logAction } from '../log/write.ts';

export const defaultSettings = {
  /** A post hides, pending review, when its flags' weights add up to this. */
  hide_threshold: 8,
  /** A rank-0 member's first N posts wait for approval (0 turns it off). */
  approval_posts: 2,
  /** Links and images a newcomer (rank 0) may put in one post. */
  newcomer_links: 2,
  newcomer_images: 1,
  /** Seconds between two posts, by rank 0–4. */
  post_interval_seconds: [30, 5, 5, 5, 5],
  /** Replies a member may post in an hour, by rank 0–4. */
  posts_per_hour: [10, 60, 90, 120, 180],
  /** The same body posted again by the same member within this many minutes is refused. */
  duplicate_window_minutes: 5,
  /** Registration forms sent back faster than this are taken for a bot. */
  registration_min_seconds: 3,
};

export type Settings = typeof defaultSettings;
export type SettingKey = keyof Settings;

export async function loadSettings(db: Db): Promise<Settings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  const settings = structuredClone(defaultSettings) as Record<string, unknown>;
  for (const r of rows) if (r.key in settings) settings[r.key] = r.value;
  return settings as Settings;
}

export async function loadSetting<K extends SettingKey>(db: Db, key: K): Promise<Settings[K]> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (row.value as Settings[K]) : structuredClone(defaultSettings[key]);
}

/** Changes one setting and logs it, in one transaction. */
export async function changeSetting<K extends SettingKey>(db: Db, key: K, value: Settings[K], by: number) {
  await db.transaction().execute(async (tx) => {
    const before = await loadSetting(tx, key);
    if (JSON.stringify(before) === JSON.stringify(value)) return;
    await tx
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_by: by })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_by: by, updated_at: new Date() }))
      .execute();
    await logAction(tx, { actorId: by, action: 'setting.change', target: { type: 'setting', label: key }, before, after: value });
  });
}

// Settings admins change from /admin/settings, kept in the `settings` table; a missing key reads
// as its default. Defaults start from ../REFERENCE numbers (see README, Moderation).
import type { Db } from '../../db/index.ts';
import { logAction } from '../log/write.ts';
import type { UploadKind } from '../../db/schema.ts';

/** The guidelines a new site starts with (markdown, /guidelines). */
const DEFAULT_GUIDELINES = `This is a place to help each other get the most out of the product, and to tell the team what works and what does not. A few things keep it worth visiting.

## Be kind, and assume good intent

Criticise ideas, not people. Newcomers ask questions that have been asked before: point them to the answer, warmly.

## Search first, then ask well

Look for an existing thread before starting one; the new-thread form suggests similar questions as you type. A good question says what you tried, what you expected and what happened.

## Answer to help

An answer explains, not just links. When an answer solves your question, accept it: it helps the next person with the same problem, and thanks the one who helped.

## Keep it on topic and in the open

No spam, no advertising, no personal details of anyone, yourself included. Keep private matters (an order, an account) to the support channels the team names.

## Flag, don’t fight

If a post breaks these guidelines, flag it and let the moderators handle it; replying in anger only makes the thread longer. Flags that moderators agree with count towards your standing.

## Recognition

Helping others earns reputation, [badges](/badges) and, over time, a higher [rank](/ranks), up to Ambassador. See the [leaderboard](/leaderboard) for the community’s most helpful members.`;

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
  // Ranks (server/ranks/rules.ts): what each earned rank asks, from ../REFERENCE numbers.
  /** To rank 1, Member: in all. */
  rank1_threads_entered: 5,
  rank1_posts_read: 30,
  rank1_reading_minutes: 10,
  /** To rank 2, Contributor: in all. */
  rank2_days_visited: 15,
  rank2_likes_given: 1,
  rank2_likes_received: 1,
  rank2_replied_threads: 3,
  rank2_threads_entered: 20,
  rank2_posts_read: 100,
  rank2_reading_minutes: 60,
  /** To rank 3, Advocate: over the last rank3_window_days days. */
  rank3_window_days: 100,
  rank3_days_visited: 50,
  rank3_replied_threads: 10,
  /** A share of the threads and posts new in the window, at most the cap. */
  rank3_threads_entered_percent: 25,
  rank3_threads_entered_cap: 500,
  rank3_posts_read_percent: 25,
  rank3_posts_read_cap: 20000,
  rank3_likes_given: 30,
  rank3_likes_received: 20,
  /** At most this many of their posts upheld as spam or offensive in the window. */
  rank3_upheld_max: 5,
  /** No silence, suspension or ban in force in this many days. */
  rank3_sanction_free_days: 180,
  /** After the rank last moved, days before an Advocate below the bar drops back to Contributor. */
  rank3_grace_days: 14,
  // Uploads (server/uploads/): sizes, kinds, how many a post holds, and a member's daily quota.
  /** The largest image and other file accepted, in MB. */
  upload_image_max_mb: 4,
  upload_file_max_mb: 8,
  /** What a zip archive may unpack to at most, in MB, as its directory declares (zip bombs). */
  upload_zip_unpacked_max_mb: 100,
  /** The kinds that may be uploaded: any of image, pdf, text, zip. */
  upload_kinds: ['image', 'pdf', 'text', 'zip'] as UploadKind[],
  /** A member's own uploads one post may hold, by rank 0–4 (newcomers' images are also held to newcomer_images). */
  uploads_per_post: [1, 5, 10, 20, 20],
  /** MB a member may upload in 24 hours, by rank 0–4. */
  upload_daily_mb: [10, 50, 100, 200, 500],
  // The site (issue 12): who may register, and the mark staff posts carry.
  /** Who may register: anyone, only those holding an invite, or no one. */
  registration_mode: 'open' as 'open' | 'invite' | 'closed',
  /** The label on staff members' posts, the brand's mark. */
  brand_label: 'Staff',
  // The site's own (server/site): shown in every page's layout, the guidelines page, and mail.
  /** The site's name, in every page's title and header. */
  site_name: 'Hearth',
  /** A sentence about the community: the home page's description for search engines and link previews. */
  site_description: '',
  /** An http(s) address of the logo shown beside the name in the header; empty: the name alone. */
  logo_url: '',
  /** The community guidelines, markdown, shown at /guidelines. */
  guidelines: DEFAULT_GUIDELINES,
  /** The address mail is sent from, and the one replies go to (empty: the same); stored for mail to come. */
  mail_from: '',
  mail_reply_to: '',
  /** A line at the foot of every mail. */
  mail_footer: '',
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

// /admin/settings: the site's settings admins keep, on one page: the site's name, description,
// logo, staff mark and guidelines, who may register, mail, and the moderation settings
// (thresholds, newcomers' limits, posting rates, uploads, ranks; the watched words are kept
// beside the checks that use them, ../posting/routes.ts). Each field says its default.
// Admins only: others are refused (403), guests asked to sign in. Every change is written to the
// staff log in its own transaction (changeSetting).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid } from '../../errors.ts';
import { can, rankNames } from '../../permissions.ts';
import { csrfField, text } from '../../schemas.ts';
import { requireRight } from '../../sessions/guards.ts';
import { answer } from '../../views/index.ts';
import { changeSetting, defaultSettings, loadSettings, type SettingKey, type Settings } from './queries.ts';
import { kindNames, uploadKinds } from './upload-kinds.ts';

/** The kinds of file that may be uploaded: a checkbox each, `upload_kind_<kind>` (not a number, so outside settingFields). */
const kindField = (kind: string) => `upload_kind_${kind}`;

/** A whole number between bounds (or five of them, one per rank, for a setting kept by rank). */
interface NumberField {
  kind?: 'number';
  label: string;
  hint: string;
  min: number;
  max: number;
}

/**
 * Text: one line (`text`), several (`markdown`, cooked where it is shown), an http(s) address
 * that may be left empty (`url`), or a mail address that may be left empty (`email`).
 */
interface TextField {
  kind: 'text' | 'markdown' | 'url' | 'email';
  label: string;
  hint: string;
  maxLength: number;
  /** Whether it may be left empty (an address may always be). */
  required?: boolean;
  /** How the default is named beside the field, when it is too long to show. */
  defaultShown?: string;
}

/** One of a few values, each with its label. */
interface ChoiceField {
  kind: 'choice';
  label: string;
  hint: string;
  choices: { value: string; label: string }[];
}

export type SettingField = NumberField | TextField | ChoiceField;

const isText = (f: SettingField): f is TextField => f.kind === 'text' || f.kind === 'markdown' || f.kind === 'url' || f.kind === 'email';

/** Every setting, by section, with what an admin may set it to. */
export const settingFields: { section: string; fields: Partial<Record<SettingKey, SettingField>> }[] = [
  {
    section: 'The site',
    fields: {
      site_name: { kind: 'text', label: 'Name', hint: 'In every page\'s title and header.', maxLength: 60, required: true },
      site_description: { kind: 'text', label: 'Description', hint: 'One sentence about the community, for search engines and link previews of the home page.', maxLength: 300 },
      logo_url: { kind: 'url', label: 'Logo address', hint: 'An http(s) address of an image shown beside the name in the header. Empty: the name alone.', maxLength: 500 },
      brand_label: { kind: 'text', label: 'Staff mark', hint: 'The label staff members\' posts carry, speaking for the brand.', maxLength: 30, required: true },
    },
  },
  {
    section: 'Guidelines',
    fields: {
      guidelines: {
        kind: 'markdown', label: 'Community guidelines', hint: 'Markdown, shown to everyone at /guidelines and linked from every page.',
        maxLength: 20_000, required: true, defaultShown: 'the guidelines a new site starts with',
      },
    },
  },
  {
    section: 'Registration',
    fields: {
      registration_mode: {
        kind: 'choice', label: 'Who may register', hint: 'Invite only: an invite link is needed to join. Closed: no one may register; members still sign in.',
        choices: [{ value: 'open', label: 'Anyone' }, { value: 'invite', label: 'Invite only' }, { value: 'closed', label: 'No one (closed)' }],
      },
      registration_min_seconds: { label: 'Least seconds to fill in the form', hint: 'Forms sent back faster are taken for a bot. 0 turns the check off.', min: 0, max: 120 },
    },
  },
  {
    section: 'Mail',
    fields: {
      mail_from: { kind: 'email', label: 'Sent from', hint: 'The address mail from the site comes from. Kept for the mail to come.', maxLength: 254 },
      mail_reply_to: { kind: 'email', label: 'Replies to', hint: 'Where replies to the site\'s mail go. Empty: the address it is sent from.', maxLength: 254 },
      mail_footer: { kind: 'text', label: 'Footer', hint: 'One line at the foot of every mail.', maxLength: 300 },
    },
  },
  {
    section: 'Flags (moderation thresholds)',
    fields: {
      hide_threshold: { label: 'Hide threshold', hint: 'A post is hidden, pending review, when the weights of its flags add up to this. A rank-2 flag weighs about 3.', min: 1, max: 100 },
    },
  },
  {
    section: 'Newcomers (rank 0)',
    fields: {
      approval_posts: { label: 'Posts that wait for approval', hint: 'A newcomer\'s first posts wait for a moderator. 0 turns approval off.', min: 0, max: 20 },
      newcomer_links: { label: 'Links in a post', hint: 'At most this many links in one post.', min: 0, max: 50 },
      newcomer_images: { label: 'Images in a post', hint: 'At most this many images in one post.', min: 0, max: 50 },
    },
  },
  {
    section: 'Posting (rate limits)',
    fields: {
      post_interval_seconds: { label: 'Seconds between two posts', hint: 'By rank. Moderators and staff are never held back.', min: 0, max: 3600 },
      posts_per_hour: { label: 'Posts in an hour', hint: 'By rank, threads and replies together.', min: 1, max: 1000 },
      duplicate_window_minutes: { label: 'Duplicate window, in minutes', hint: 'The same text posted again by the same member within this time is refused. 0 turns it off.', min: 0, max: 1440 },
    },
  },
  {
    section: 'Uploads',
    fields: {
      upload_image_max_mb: { label: 'Largest image, in MB', hint: 'Images are re-encoded and made at most 1920 pixels wide once taken.', min: 1, max: 50 },
      upload_file_max_mb: { label: 'Largest other file, in MB', hint: 'PDF, text and zip files.', min: 1, max: 100 },
      upload_zip_unpacked_max_mb: { label: 'Largest zip unpacked, in MB', hint: 'What a zip archive may declare it unpacks to.', min: 1, max: 10000 },
      uploads_per_post: { label: 'Uploads in a post', hint: 'By rank: the writer\'s own uploads one post may hold. Newcomers are also held to their images in a post.', min: 0, max: 100 },
      upload_daily_mb: { label: 'Daily quota, in MB', hint: 'By rank: what a member may upload in 24 hours.', min: 0, max: 100000 },
    },
  },
  {
    // What each earned rank asks (server/ranks/rules.ts); rank 4 comes by nomination.
    section: 'Ranks',
    fields: {
      rank1_threads_entered: { label: 'Member (1): threads entered', hint: 'Threads opened, in all.', min: 0, max: 100000 },
      rank1_posts_read: { label: 'Member (1): posts read', hint: 'Posts read, in all.', min: 0, max: 1000000 },
      rank1_reading_minutes: { label: 'Member (1): minutes reading', hint: 'Time spent reading threads, in all.', min: 0, max: 100000 },
      rank2_days_visited: { label: 'Contributor (2): days visited', hint: 'Days the member was here, in all.', min: 0, max: 10000 },
      rank2_likes_given: { label: 'Contributor (2): likes given', hint: 'In all.', min: 0, max: 100000 },
      rank2_likes_received: { label: 'Contributor (2): likes received', hint: 'In all.', min: 0, max: 100000 },
      rank2_replied_threads: { label: 'Contributor (2): threads replied in', hint: 'Threads with a reply of theirs, in all.', min: 0, max: 100000 },
      rank2_threads_entered: { label: 'Contributor (2): threads entered', hint: 'In all.', min: 0, max: 100000 },
      rank2_posts_read: { label: 'Contributor (2): posts read', hint: 'In all.', min: 0, max: 1000000 },
      rank2_reading_minutes: { label: 'Contributor (2): minutes reading', hint: 'In all.', min: 0, max: 100000 },
      rank3_window_days: { label: 'Advocate (3): days looked back', hint: 'The Advocate\'s requirements below are counted over this many days.', min: 1, max: 3650 },
      rank3_days_visited: { label: 'Advocate (3): days visited', hint: 'Days here within the period.', min: 0, max: 3650 },
      rank3_replied_threads: { label: 'Advocate (3): threads replied in', hint: 'Within the period.', min: 0, max: 100000 },
      rank3_threads_entered_percent: { label: 'Advocate (3): % of new threads entered', hint: 'Of the threads started within the period.', min: 0, max: 100 },
      rank3_threads_entered_cap: { label: 'Advocate (3): threads entered, at most needed', hint: 'The percentage never asks more than this.', min: 0, max: 100000 },
      rank3_posts_read_percent: { label: 'Advocate (3): % of new posts read', hint: 'Of the posts written within the period.', min: 0, max: 100 },
      rank3_posts_read_cap: { label: 'Advocate (3): posts read, at most needed', hint: 'The percentage never asks more than this.', min: 0, max: 1000000 },
      rank3_likes_given: { label: 'Advocate (3): likes given', hint: 'Within the period.', min: 0, max: 100000 },
      rank3_likes_received: { label: 'Advocate (3): likes received', hint: 'Within the period.', min: 0, max: 100000 },
      rank3_upheld_max: { label: 'Advocate (3): posts upheld as spam or offensive, at most', hint: 'Their posts whose spam or offensive flag a moderator agreed with, within the period.', min: 0, max: 1000 },
      rank3_sanction_free_days: { label: 'Advocate (3): days without a sanction', hint: 'No silence, suspension or ban in force within this many days.', min: 0, max: 3650 },
      rank3_grace_days: { label: 'Advocate (3): grace days', hint: 'After the rank last moved, an Advocate below the bar keeps the rank this long before dropping back to Contributor.', min: 0, max: 365 },
    },
  },
];

const fieldOf = (key: SettingKey) => settingFields.map((s) => s.fields[key]).find((f) => f !== undefined);
const settingKeys = settingFields.flatMap((s) => Object.keys(s.fields) as SettingKey[]);
const isList = (key: SettingKey, settings: Settings) => Array.isArray(settings[key]);
/** Form field names: `key`, or `key_0` … `key_4` for a value by rank. */
const rankField = (key: string, rank: number) => `${key}_${rank}`;

/** The settings as the form shows them: every value a string. */
export function settingsForm(settings: Settings): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of settingKeys) {
    const value = settings[key];
    if (Array.isArray(value)) value.forEach((v, rank) => (values[rankField(key, rank)] = String(v)));
    else values[key] = String(value);
  }
  for (const kind of settings.upload_kinds) values[kindField(kind)] = 'on';
  return values;
}

function wholeNumber(raw: unknown, min: number, max: number): number | null {
  // The schema makes every setting's field text, when it is sent at all.
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

/** The message beside a text field whose value cannot be kept, or null when it can. */
export function textRefusal(field: TextField, value: string): string | null {
  if (value.length > field.maxLength) return `At most ${field.maxLength} characters (this is ${value.length}).`;
  if (field.kind !== 'markdown' && /[\u0000-\u001f\u007f]/.test(value)) return 'One line, without control characters.';
  if (value === '') return field.required ? 'This cannot be empty.' : null;
  if (field.kind === 'url') {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      // Not an address at all: said below, as for any other scheme.
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'Enter an address starting with http:// or https://, or leave it empty.';
  }
  if (field.kind === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'Enter a mail address like team@example.com, or leave it empty.';
  return null;
}

/**
 * The settings an admin sent, or the message beside each field that is wrong. A text or choice
 * field not sent at all is left as it is (a browser always sends them; a script may send only
 * the numbers); a number must always be sent.
 */
export function readSettingsForm(form: Record<string, unknown>, current: Settings) {
  const settings = structuredClone(current) as unknown as Record<SettingKey, unknown>;
  const errors: Record<string, string> = {};
  for (const key of settingKeys) {
    const field = fieldOf(key)!;
    const raw = form[key];
    if (field.kind === 'choice') {
      if (raw === undefined) continue;
      if (field.choices.some((c) => c.value === raw)) settings[key] = raw;
      else errors[key] = `Choose one of: ${field.choices.map((c) => c.label).join(', ')}.`;
    } else if (isText(field)) {
      if (raw === undefined) continue;
      // A line is kept without the spaces around it; markdown as written, but for its line ends.
      const value = field.kind === 'markdown' ? String(raw).replace(/\r\n?/g, '\n').trimEnd() : String(raw).trim();
      const refusal = textRefusal(field, value);
      if (refusal) errors[key] = refusal;
      else settings[key] = value;
    } else if (isList(key, current)) {
      const { min, max } = field;
      const values = rankNames.map((_, rank) => wholeNumber(form[rankField(key, rank)], min, max));
      if (values.some((v) => v === null)) {
        errors[key] = `Enter a whole number from ${min} to ${max} for each rank.`;
        // Each wrong rank is marked too, so that its own input says it is invalid.
        values.forEach((v, rank) => v === null && (errors[rankField(key, rank)] = errors[key]));
      } else settings[key] = values as number[];
    } else {
      const { min, max } = field;
      const value = wholeNumber(raw, min, max);
      if (value === null) errors[key] = `Enter a whole number from ${min} to ${max}.`;
      else settings[key] = value;
    }
  }
  const read = settings as unknown as Settings;
  read.upload_kinds = uploadKinds.filter((kind) => Boolean(form[kindField(kind)]));
  return { settings: read, errors };
}

/** How a setting's default is said beside its field. */
function defaultText(key: SettingKey, field: SettingField): string {
  const value = defaultSettings[key];
  if (field.kind === 'choice') return field.choices.find((c) => c.value === value)?.label ?? String(value);
  if (isText(field)) return field.defaultShown ?? (value === '' ? 'empty' : String(value));
  return Array.isArray(value) ? value.join(' · ') : String(value);
}

/**
 * Each setting's field, or one for each rank: text, which readSettingsForm reads. A text field
 * may be sent longer than it may be kept, so that the message beside it says by how much.
 */
const settingProperties: Record<string, ReturnType<typeof text>> = Object.fromEntries(
  settingKeys.flatMap((key) => {
    const field = fieldOf(key)!;
    if (field.kind === 'choice') return [[key, text(20)]];
    if (isText(field)) return [[key, text(field.maxLength * 2 + 100)]];
    return [key, ...rankNames.map((_, rank) => rankField(key, rank))].map((name) => [name, text(20)]);
  }),
);

const kindProperties: Record<string, ReturnType<typeof text>> = Object.fromEntries(uploadKinds.map((kind) => [kindField(kind), text(5)]));

const settingsBody = { type: 'object', properties: { _csrf: csrfField, ...settingProperties, ...kindProperties } } as const;

export const moderationSettings: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addHook('preValidation', requireRight('change settings', 'The site\'s settings and watched words are kept by administrators.'));

  /** What the settings page shows around the form. Nothing for those who may not see it: a refused form is drawn again empty. */
  async function settingsPage(req: FastifyRequest) {
    if (!can(req.viewer, 'change settings')) return { sections: [], uploadKinds: [] };
    const settings = await loadSettings(app.db);
    return {
      sections: settingFields.map((s) => ({
        title: s.section,
        fields: (Object.entries(s.fields) as [SettingKey, SettingField][]).map(([key, f]) => ({
          key,
          ...f,
          // What the template draws: a number (or one per rank), a line of text, a text box, a choice.
          input: f.kind === 'url' ? 'url' : f.kind === 'email' ? 'email' : f.kind === 'text' ? 'text' : 'number',
          isMarkdown: f.kind === 'markdown',
          isChoice: f.kind === 'choice',
          // The hint, then the default: a one-line explanation and what a new site starts with.
          help: `${f.hint} Default: ${defaultText(key, f)}.`,
          ranks: isList(key, settings) ? rankNames.map((name, rank) => ({ name: rankField(key, rank), label: `${rank} · ${name}` })) : null,
        })),
      })),
      uploadKinds: uploadKinds.map((kind) => ({ name: kindField(kind), label: kindNames[kind] })),
    };
  }

  const settingsFormConfig = { template: 'moderation/settings', title: 'Site settings', load: settingsPage };

  app.get('/settings', async (req, reply) => {
    const values = settingsForm(await loadSettings(app.db));
    return reply.page(settingsFormConfig.template, { title: settingsFormConfig.title, ...(await settingsPage(req)), values, errors: {} });
  });

  app.post('/settings', { schema: { body: settingsBody }, config: { form: settingsFormConfig } }, async (req, reply) => {
    const viewer = req.viewer!;
    const current = await loadSettings(app.db);
    const { settings, errors } = readSettingsForm(req.body, current);
    if (Object.keys(errors).length) throw invalid(errors);
    const changed = [...settingKeys, 'upload_kinds' as const].filter((key) => JSON.stringify(settings[key]) !== JSON.stringify(current[key]));
    for (const key of changed) await changeSetting(app.db, key, settings[key], viewer.id);
    const flash = changed.length ? `Settings saved: ${changed.length} changed.` : 'Nothing changed.';
    return answer(req, reply, { redirect: '/admin/settings', flash });
  });
};

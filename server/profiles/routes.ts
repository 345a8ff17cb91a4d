// The member's profile and avatar, two sections of the account page (/account, registered by
// server/account/routes.ts, whose page a refused form here is drawn again on), and the avatars
// themselves at /avatars/:key, which every page showing a member links to.
//
// POST /account/profile saves the display name, the bio (markdown, cooked and sanitised once, as
// a post is), the location and the website. POST /account/avatar takes one image
// (multipart/form-data, field `avatar`), streamed to a temporary file while counted, decided from
// its content and re-encoded (server/profiles/avatars.ts); /account/avatar/remove goes back to
// the letter avatar.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, invalid, notFound } from '../errors.ts';
import { silenceRefusal } from '../permissions.ts';
import { csrfField, emptyForm, text } from '../schemas.ts';
import { requireViewer } from '../sessions/guards.ts';
import { standingOf } from '../moderation/posting/standing.ts';
import { cookPost } from '../text/mentions.ts';
import type { FormConfig } from '../views/errors.ts';
import { answer } from '../views/index.ts';
import { MB, sizeInWords } from '../uploads/rules.ts';
import type { UploadStorage } from '../uploads/storage.ts';
import { multipartForms, temporaryFiles } from '../uploads/multipart-forms.ts';
import { avatarImages, removeAvatarImages, storeAvatar } from './avatars.ts';
import { avatarInUse, profileOf, saveProfile, setAvatar } from './queries.ts';
import { BIO_MAX, DISPLAY_NAME_MAX, LOCATION_MAX, WEBSITE_MAX, cleanProfile, profileErrors } from './rules.ts';
import { avatarStorageKey, letterSvg, parseLetterKey, parseUploadedKey } from '../views/avatars.ts';

export interface ProfileOptions {
  /** The account page, which a refused form here is drawn again on. */
  form: FormConfig;
  storage: UploadStorage;
}

/** An avatar is the same bytes under its key forever, and the same for everyone who asks. */
const FOREVER = 'public, max-age=31536000, immutable';
/** Nothing in an avatar runs or loads anything: the SVG is ours, but said so all the same. */
const AVATAR_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const AVATAR_KEY = { type: 'object', properties: { key: { type: 'string', maxLength: 80, pattern: '^[0-9a-z-]+\\.(svg|webp)$' } }, required: ['key'] } as const;

// A little above the field limits of rules.ts, so that the friendly message, with the input
// kept, is what a member sees; past these it is the schema's refusal.
const profileSchema = {
  body: {
    type: 'object',
    properties: {
      display_name: text(DISPLAY_NAME_MAX * 4),
      bio: text(BIO_MAX * 4),
      location: text(LOCATION_MAX * 4),
      website: text(WEBSITE_MAX * 4),
      _csrf: csrfField,
    },
  },
} as const;

interface ReceivedAvatar {
  received: true;
  file: string;
  size: number;
  over: boolean;
  filename: string;
}

const isReceived = (v: unknown): v is ReceivedAvatar => typeof v === 'object' && v !== null && (v as ReceivedAvatar).received === true;

/** What the account page's profile and avatar sections show: the saved profile, or the form as sent when it was refused. */
export async function profileSections(req: FastifyRequest, db: Parameters<typeof profileOf>[0]) {
  const viewer = requireViewer(req);
  const profile = await profileOf(db, viewer.id);
  const sent = req.method === 'POST' && req.routeOptions.url === '/account/profile' && req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : null;
  const field = (name: 'display_name' | 'bio' | 'location' | 'website') => (sent ? (typeof sent[name] === 'string' ? (sent[name] as string) : '') : profile[name]);
  return {
    profile: {
      display_name: field('display_name'),
      bio: field('bio'),
      location: field('location'),
      website: field('website'),
      username: profile.username,
      nameHint: `Shown beside your username, @${profile.username}, which stays how members mention you.`,
      hasAvatar: profile.avatar !== null,
      owner: { username: profile.username, display_name: profile.display_name, avatar: profile.avatar },
      limits: { display_name: DISPLAY_NAME_MAX, bio: BIO_MAX, location: LOCATION_MAX },
    },
  };
}

export const profiles: FastifyPluginAsyncJsonSchemaToTs<{ Options: ProfileOptions }> = async (app, opts) => {
  const { storage, form } = opts;

  async function refuseSilenced(req: FastifyRequest) {
    const viewer = requireViewer(req);
    // A silenced member writes nothing others read, a bio or a picture included.
    const silenced = silenceRefusal(await standingOf(app.db, viewer, app.now()));
    if (silenced) throw silenced;
    return viewer;
  }

  app.post('/account/profile', { schema: profileSchema, config: { form } }, async (req, reply) => {
    const viewer = await refuseSilenced(req);
    const profile = cleanProfile(req.body);
    const errors = profileErrors(profile);
    if (Object.keys(errors).length) throw invalid(errors, 'Your profile was not saved.');
    const cooked = profile.bio ? (await cookPost(app.db, profile.bio)).cooked : '';
    await saveProfile(app.db, viewer.id, profile, cooked);
    return answer(req, reply, { redirect: '/account', flash: 'Your profile is saved.' });
  });

  const temporary = temporaryFiles(app, 'hearth-avatar');

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { files: 1, fields: 5, parts: 10, fieldSize: 4096, fileSize: 100 * MB, headerPairs: 100 },
    throwFileSizeLimit: false,
    async onFile(this: FastifyRequest, part: MultipartFile) {
      if (part.fieldname !== 'avatar' || !this.viewer) {
        part.file.resume();
        await new Promise((resolve) => part.file.once('close', resolve).once('end', resolve));
        return;
      }
      const limit = (await app.postingRules.get()).settings.upload_image_max_mb * MB;
      const kept = await temporary.receive(this, part, limit);
      const received: ReceivedAvatar = { received: true, ...kept, filename: part.filename };
      (part as unknown as { value: ReceivedAvatar }).value = received;
    },
  });

  // A multipart body that could not be read is the sender's fault: a 400, said on the account page.
  const handled = new WeakSet<FastifyRequest>();
  multipartForms(app, {
    unreadable: 'The picture could not be read: the form data was cut short or broken. Please try again.',
    logAs: 'avatars',
    passes: (req) => handled.has(req),
  });

  app.post(
    '/account/avatar',
    { schema: { body: { type: 'object', properties: { _csrf: csrfField } } }, config: { form, csrfAfterMultipart: true } },
    async (req, reply) => {
      handled.add(req);
      const viewer = await refuseSilenced(req);
      const refuse = (message: string, status = 422) => new HttpError(status, message, { avatar: message });
      if (!req.isMultipart()) throw refuse('Send the picture as multipart/form-data, in the field "avatar".', 415);
      const received = (req.body as { avatar?: unknown } | undefined)?.avatar;
      if (!isReceived(received)) throw refuse('Choose a picture to upload.');
      if (received.size === 0) throw refuse('This file is empty.');
      const maxMb = (await app.postingRules.get()).settings.upload_image_max_mb;
      if (received.over) throw refuse(`This picture is larger than ${maxMb} MB, the most an image may be.`, 413);
      let made: Awaited<ReturnType<typeof avatarImages>>;
      try {
        made = await avatarImages(received.file, received.filename || 'avatar');
      } catch (err) {
        // The uploads' refusals (not an image, an SVG, too many pixels) are said beside the field.
        if (err instanceof HttpError && err.statusCode < 500) throw refuse(err.message, err.statusCode);
        throw err;
      }
      await storeAvatar(storage, made.hash, made.images);
      const before = await setAvatar(app.db, viewer.id, made.hash);
      if (before && before !== made.hash && !(await avatarInUse(app.db, before))) await removeAvatarImages(storage, before, req.log);
      req.log.info({ userId: viewer.id, size: sizeInWords(received.size) }, 'avatars: a member set their avatar');
      return answer(req, reply, { redirect: '/account', flash: 'Your avatar is changed.' });
    },
  );

  app.post('/account/avatar/remove', { schema: { body: emptyForm }, config: { form } }, async (req, reply) => {
    const viewer = requireViewer(req);
    const before = await setAvatar(app.db, viewer.id, null);
    if (before && !(await avatarInUse(app.db, before))) await removeAvatarImages(storage, before, req.log);
    return answer(req, reply, { redirect: '/account', flash: 'Your avatar is removed: your letter is shown instead.' });
  });

  app.get(
    '/avatars/:key',
    {
      schema: { params: AVATAR_KEY },
      // After the site's own onSend, which marks every signed-in answer `no-store`: an avatar is
      // the same for everyone, and its key changes when its bytes do.
      onSend: async (_req, reply, payload) => {
        if (reply.statusCode === 200 && !reply.hasHeader('set-cookie')) reply.header('Cache-Control', FOREVER);
        return payload;
      },
    },
    async (req, reply) => {
      const { key } = req.params;
      reply.header('X-Content-Type-Options', 'nosniff').header('Content-Security-Policy', AVATAR_CSP).header('Cross-Origin-Resource-Policy', 'same-origin');
      const letter = parseLetterKey(key);
      if (letter) return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', FOREVER).send(letterSvg(letter.hue, letter.letter));
      const uploaded = parseUploadedKey(key);
      if (!uploaded) throw notFound('That avatar');
      const bytes = await storage.get(avatarStorageKey(uploaded.hash, uploaded.size));
      if (!bytes) throw notFound('That avatar');
      return reply.type('image/webp').header('Cache-Control', FOREVER).send(bytes);
    },
  );
};


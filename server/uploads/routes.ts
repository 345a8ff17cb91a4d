// Uploads: POST /uploads takes one file (multipart/form-data, field `file`) and answers the
// markdown that embeds it: as JSON (the editor's script), as a fragment (htmx), or, from a plain
// form with JavaScript off, by going back (303) to the form it came from with the markdown added
// to the text being written. GET /uploads/:key serves a file to those who may see a post that
// holds it (its uploader, until it is in one), from its own headers: no script runs, nothing is
// sniffed, only images show in the page.
//
// The file is streamed to a temporary file while its bytes are counted (never held whole in
// memory), decided from its content, checked, and only then kept: a refused file leaves nothing.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, notFound, tooSoon } from '../errors.ts';
import { hasRole, silenceRefusal, type Viewer } from '../permissions.ts';
import { seePostRowRefusal } from '../access/posts.ts';
import { csrfField, text } from '../schemas.ts';
import { requireViewer } from '../sessions/guards.ts';
import { lockMemberLimit } from '../moderation/posting/member-lock.ts';
import { standingOf } from '../moderation/posting/standing.ts';
import type { Settings } from '../moderation/settings/queries.ts';
import { postImages, reencodeImage } from './images.ts';
import { checkZip, detectUpload } from './inspect.ts';
import { bytesUploadedSince, postsHoldingUpload, recordUpload, uploadByKey } from './queries.ts';
import { cleanName, forRank, markdownFor, MB, quotaRefusal, sizeInWords } from './rules.ts';
import type { UploadStorage } from './storage.ts';
import { multipartForms, temporaryFiles } from './multipart-forms.ts';

declare module 'fastify' {
  interface Session {
    /** The text of a form a file was uploaded from without JavaScript, with the markdown added, for that form to show once. */
    uploadedBody?: { form: string; body: string; fields?: Record<string, string> };
  }
}

/** The file part as it was received: where it was written, how big it is, and whether it went past the limit. */
interface ReceivedFile {
  received: true;
  file: string;
  size: number;
  over: boolean;
  limit: number;
  filename: string;
}

const isReceived = (v: unknown): v is ReceivedFile => typeof v === 'object' && v !== null && (v as ReceivedFile).received === true;

/** What no stream may pass whatever the settings say: the settings form's own bound (100 MB). */
const HARD_LIMIT = 100 * MB;

/** The largest file the settings let through, of any kind. */
const streamLimit = (s: Settings) => Math.min(HARD_LIMIT, Math.max(s.upload_image_max_mb, s.upload_file_max_mb) * MB);

const KEY_PARAM = { type: 'object', properties: { key: { type: 'string', pattern: '^[0-9a-f]{40}(\\.thumb)?\\.[a-z0-9]{1,5}$' } }, required: ['key'] } as const;

/**
 * The form an upload came from, as a name that its page asks for again: the reply form of a
 * thread (`thread:ID`), a new thread in a category (`new:SLUG`), an edit (`edit:ID`); with the
 * page to go back to. The address a refused form was drawn at (its POST) leads to its page.
 */
export function uploadFormOf(returnTo: string | undefined): { form: string; page: string } | null {
  const p = (returnTo ?? '').split(/[?#]/)[0];
  let m = /^\/t\/(\d{1,16})(?:\/[^/]*)?(?:\/replies)?$/.exec(p);
  if (m) return { form: `thread:${m[1]}`, page: /\/replies$/.test(p) ? `/t/${m[1]}` : p };
  m = /^\/c\/([A-Za-z0-9_-]{1,100})\/(?:new|threads|similar)$/.exec(p);
  if (m) return { form: `new:${m[1]}`, page: `/c/${m[1]}/new` };
  m = /^\/p\/(\d{1,16})\/edit$/.exec(p);
  if (m) return { form: `edit:${m[1]}`, page: p };
  return null;
}

/**
 * The form's other fields an upload without JavaScript sends along and brings back: a new
 * thread's title, kind, tags and poll, and an edit's title. Nothing typed is lost to an upload.
 */
const KEPT_FIELDS = ['title', 'kind', 'tags', 'poll_question', 'poll_options', 'poll_multiple', 'poll_closes_at'] as const;

/**
 * What to show in a form, once, after a file was uploaded from it without JavaScript: the text
 * as it was sent with the upload's markdown added, and the other fields as they were sent; or
 * undefined. `form` as uploadFormOf names it.
 */
export function takeUploadedBody(req: FastifyRequest, form: string): Record<string, string> & { body: string } | undefined {
  const kept = req.viewer ? req.session?.uploadedBody : undefined;
  if (!kept || kept.form !== form) return undefined;
  delete req.session.uploadedBody;
  return { ...kept.fields, body: kept.body };
}

/** The text with the markdown added on a line of its own. */
const withMarkdown = (body: string, markdown: string) => (body.trim() ? `${body.replace(/\s+$/, '')}\n\n${markdown}\n` : `${markdown}\n`);

/** Whether the viewer may have this upload's bytes: its uploader, or anyone who may see a post holding it. */
async function maySee(db: Parameters<typeof postsHoldingUpload>[0], viewer: Viewer | null, upload: { id: number; user_id: number }) {
  if (viewer && viewer.id === upload.user_id) return true;
  const posts = await postsHoldingUpload(db, upload.id);
  return posts.some((p) => seePostRowRefusal(viewer, p) === null);
}

/** A header value's file name: the ASCII fallback, and the name itself as RFC 5987 says. */
function dispositionOf(kind: 'inline' | 'attachment', name: string) {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A served upload's policy: nothing runs, nothing loads but its own image, and it is its own sandboxed origin. */
/** The key names bytes that never change; private, as who may have them depends on who asks. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

const UPLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

async function sha256Of(file: string) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash;
}

export const uploads: FastifyPluginAsyncJsonSchemaToTs<{ Options: { storage: UploadStorage } }> = async (app, opts) => {
  const { storage } = opts;

  /** Requests that reached the handler: an error after that is not the multipart body's. */
  const handled = new WeakSet<FastifyRequest>();
  /** Requests whose temporary file could not be written: our fault, never taken for a broken body. */
  const faults = new WeakSet<FastifyRequest>();
  const temporary = temporaryFiles(app, 'hearth-upload');

  await app.register(multipart, {
    // Fields come with the file: the CSRF token, and the text of the form it was sent from.
    attachFieldsToBody: 'keyValues',
    limits: { files: 1, fields: 30, parts: 40, fieldSize: 1024 * 1024, fileSize: HARD_LIMIT, headerPairs: 100 },
    throwFileSizeLimit: false,
    async onFile(this: FastifyRequest, part: MultipartFile) {
      if (part.fieldname !== 'file' || !this.viewer) {
        // Not the file this route takes, or from no one who may upload: read past, keep nothing.
        part.file.resume();
        await new Promise((resolve) => part.file.once('close', resolve).once('end', resolve));
        return;
      }
      const limit = streamLimit((await app.postingRules.get()).settings);
      let kept;
      try {
        kept = await temporary.receive(this, part, limit);
      } catch (err) {
        // The request cut short is the sender's (the error handler says 400); the temporary file
        // not written is ours, and a fault.
        if ((err as NodeJS.ErrnoException).syscall) faults.add(this);
        throw err;
      }
      const received: ReceivedFile = { received: true, ...kept, limit, filename: part.filename };
      (part as unknown as { value: ReceivedFile }).value = received;
    },
  });

  multipartForms(app, {
    unreadable: 'The upload could not be read: the form data was cut short or broken. Please try again.',
    logAs: 'uploads',
    passes: (req) => handled.has(req) || faults.has(req),
  });

  app.post(
    '/uploads',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            _csrf: csrfField, body: text(200000), title: text(1000), return_to: text(500),
            kind: text(20), tags: text(500), poll_question: text(1000), poll_options: text(5000), poll_multiple: text(10), poll_closes_at: text(40),
          },
        },
      },
      config: { csrfAfterMultipart: true },
    },
    async (req, reply) => {
      handled.add(req);
      const viewer = requireViewer(req, 'Please sign in to upload files.');
      // An upload is for a post: a silenced member, who may not post, uploads nothing either.
      const silenced = silenceRefusal(await standingOf(app.db, viewer, app.now()));
      if (silenced) throw silenced;
      if (!req.isMultipart()) throw new HttpError(415, 'Send the file as multipart/form-data, in the field "file".');
      const sent = (req.body ?? {}) as { file?: unknown; body?: string; return_to?: string } & Partial<Record<(typeof KEPT_FIELDS)[number], string>>;
      const received = sent.file;
      if (!isReceived(received)) throw new HttpError(422, 'Choose a file to upload.', { file: 'Choose a file to upload.' });
      if (received.size === 0) throw new HttpError(422, 'This file is empty.', { file: 'This file is empty.' });
      const { settings } = await app.postingRules.get();
      const name = cleanName(received.filename);
      if (received.over) {
        throw new HttpError(413, `This file is larger than ${sizeInWords(received.limit)}, the most that may be uploaded (images up to ${settings.upload_image_max_mb} MB, other files up to ${settings.upload_file_max_mb} MB).`);
      }
      const detected = await detectUpload(received.file, name, settings.upload_kinds);
      const maxMb = detected.kind === 'image' ? settings.upload_image_max_mb : settings.upload_file_max_mb;
      if (received.size > maxMb * MB) {
        const what = detected.kind === 'image' ? 'An image' : 'A file of this kind';
        throw new HttpError(413, `This file is ${sizeInWords(received.size)}. ${what} may be at most ${maxMb} MB.`);
      }
      if (detected.kind === 'zip') await checkZip(received.file, settings.upload_zip_unpacked_max_mb);

      // What is kept: an image as re-encoded (and its thumbnail), any other file as it came.
      const format = ({ jpg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif' } as const)[detected.ext as 'jpg'];
      const encoded = detected.kind === 'image' ? await reencodeImage(received.file, format, postImages) : null;
      // The key hashes the bytes with their uploader: the same file is one upload of theirs, and
      // never another member's (whose it is decides who sees it before it is in a post).
      const hash = encoded ? createHash('sha256').update(encoded.image.bytes) : await sha256Of(received.file);
      const digest = hash.update(`:${viewer.id}`).digest('hex').slice(0, 40);
      const key = `${digest}.${detected.ext}`;
      const thumbKey = encoded?.thumb ? `${digest}.thumb.${detected.ext}` : null;
      const size = encoded ? encoded.image.bytes.length : received.size;
      // Staff upload for the community (guides, screenshots): the top rank's quota.
      const rank = hasRole(viewer, 'moderator') ? 4 : viewer.rank;

      const upload = await app.db.transaction().execute(async (tx) => {
        // Two uploads of one member at once are counted one after the other against the quota.
        await lockMemberLimit(tx, 'uploading', viewer.id);
        const now = app.now();
        const used = await bytesUploadedSince(tx, viewer.id, new Date(now.getTime() - 24 * 60 * 60 * 1000));
        const overQuota = quotaRefusal(used, size, forRank(settings.upload_daily_mb, rank));
        if (overQuota) throw tooSoon(overQuota, 60 * 60);
        if (encoded) {
          await storage.put(key, { bytes: encoded.image.bytes }, detected.contentType);
          if (encoded.thumb && thumbKey) await storage.put(thumbKey, { bytes: encoded.thumb.bytes }, detected.contentType);
        } else {
          await storage.put(key, { file: received.file, size: received.size }, detected.contentType);
        }
        return recordUpload(tx, {
          key, thumbKey, userId: viewer.id, name, kind: detected.kind, contentType: detected.contentType, size,
          width: encoded?.image.width ?? null, height: encoded?.image.height ?? null, at: now,
        });
      });

      const markdown = markdownFor(upload);
      const answer = { key: upload.key, url: `/uploads/${upload.key}`, name: upload.name, kind: upload.kind, markdown };
      reply.header('Vary', 'HX-Request, Accept');
      if (req.headers['hx-request'] === 'true') return reply.fragment('uploads/uploaded', answer);
      const from = uploadFormOf(sent.return_to);
      if (!from || (req.headers.accept ?? '').includes('application/json')) return reply.code(201).send(answer);
      const fields: Record<string, string> = {};
      for (const name of KEPT_FIELDS) if (typeof sent[name] === 'string') fields[name] = sent[name];
      req.session.uploadedBody = { form: from.form, body: withMarkdown(sent.body ?? '', markdown), fields };
      reply.flash('notice', `${upload.name} is uploaded: it is added at the end of your text.`);
      return reply.redirect(`${from.page}#field-body`, 303);
    },
  );

  app.get('/uploads/:key', {
    schema: { params: KEY_PARAM },
    // After the site's own onSend, which makes every signed-in answer `no-store`: a served file's
    // bytes never change under its key, so its reader's browser (alone: private) keeps it.
    onSend: async (_req, reply, payload) => {
      if (reply.statusCode === 200) reply.header('Cache-Control', IMMUTABLE);
      return payload;
    },
  }, async (req, reply) => {
    const { key } = req.params;
    const upload = await uploadByKey(app.db, key);
    // Not there and not theirs to see answer alike: a 404 tells nothing of a hidden post's files.
    if (!upload || !(await maySee(app.db, req.viewer, upload))) throw notFound('That file');
    const bytes = await storage.get(key);
    if (!bytes) {
      req.log.error({ key }, 'uploads: a row names bytes the storage does not have');
      throw notFound('That file');
    }
    const image = upload.kind === 'image';
    return reply
      .header('Content-Type', upload.content_type)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', UPLOAD_CSP)
      .header('Content-Disposition', dispositionOf(image ? 'inline' : 'attachment', upload.key === key ? upload.name : `thumbnail-${upload.name}`))
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Cache-Control', IMMUTABLE)
      .header('Vary', 'Cookie')
      .send(bytes);
  });
};

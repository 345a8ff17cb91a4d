// What a plugin whose forms are sent as multipart/form-data needs beside @fastify/multipart (the
// uploads, and the avatar on the account page).
//
// The CSRF token of such a form is one of its multipart fields, which @fastify/multipart reads in
// its own preValidation, after the site-wide check (server/security) has run. So the site-wide
// check leaves a route marked `csrfAfterMultipart` to the hook added here, which runs the same
// check once the fields are read. And a body the parser could not read (a broken boundary, a part
// cut short) is the sender's fault, not a fault of ours: a 400, not a 500. A file sent is written
// to a temporary folder of its request as it comes (never held whole in memory), counted, and cut
// off at a limit; the folder goes when the answer is sent.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A multipart route whose CSRF token is checked once its fields are read (multipartForms). */
    csrfAfterMultipart?: boolean;
  }
}

/**
 * Adds, to the plugin `app`, the CSRF check of its multipart routes and the answer to a body that
 * could not be read (`unreadable`, logged under `logAs`). `passes` says which requests' errors go
 * to the one error handler as they are: those a route's handler already took in hand (its own
 * refusals), or a fault on our side while keeping the file.
 */
export function multipartForms(app: FastifyInstance, o: { unreadable: string; logAs: string; passes: (req: FastifyRequest) => boolean }) {
  app.setErrorHandler((err, req) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (req.isMultipart() && !o.passes(req) && (status === undefined || status >= 500) && !(err instanceof HttpError)) {
      req.log.info({ err }, `${o.logAs}: a multipart body could not be read`);
      throw new HttpError(400, o.unreadable);
    }
    throw err;
  });

  app.addHook('preValidation', async (req, reply) => {
    if (!req.routeOptions.config.csrfAfterMultipart || !req.isMultipart()) return;
    await new Promise<void>((resolve, reject) => app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())));
  });
}

/** A file part as received: where it was written, its size, and whether it went past the limit (then cut short). */
export interface TemporaryFile {
  file: string;
  size: number;
  over: boolean;
}

/**
 * Each request's temporary folder (named from `prefix`), removed once the answer is sent, whatever
 * it was, or when the sender goes away mid-request; `receive` writes a file part into it.
 */
export function temporaryFiles(app: FastifyInstance, prefix: string) {
  const dirs = new WeakMap<FastifyRequest, string>();
  const remove = async (req: FastifyRequest) => {
    const dir = dirs.get(req);
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  app.addHook('onResponse', remove);
  app.addHook('onRequestAbort', remove);
  return {
    /** Streams the part to a new file of the request's folder; past `limit` bytes nothing more is written, and the rest is read and dropped. */
    async receive(req: FastifyRequest, part: MultipartFile, limit: number): Promise<TemporaryFile> {
      const dir = dirs.get(req) ?? (await mkdtemp(path.join(tmpdir(), `${prefix}-`)));
      dirs.set(req, dir);
      const file = path.join(dir, randomUUID());
      let size = 0;
      let over = false;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > limit) over = true;
          done(null, over ? undefined : chunk);
        },
      });
      await pipeline(part.file as Readable, counter, createWriteStream(file));
      return { file, size, over: over || part.file.truncated };
    },
  };
}

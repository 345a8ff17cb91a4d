// What a plugin whose forms are sent as multipart/form-data needs beside @fastify/multipart (the
// uploads, and the avatar on the account page).
//
// The CSRF token of such a form is one of its multipart fields, which @fastify/multipart reads in
// its own preValidation, after the site-wide check (server/security) has run. So the site-wide
// check leaves a route marked `csrfAfterMultipart` to the hook added here, which runs the same
// check once the fields are read. And a body the parser could not read (a broken boundary, a part
// cut short) is the sender's fault, not a fault of ours: a 400, not a 500.
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

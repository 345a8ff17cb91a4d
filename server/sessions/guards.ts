// Who must be signed in. Pages send a guest to sign in and bring them back; form actions
// refuse with 401 (the page the form was on already said "sign in").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, HttpError } from '../errors.ts';
import { can, type Action, type Viewer } from '../permissions.ts';

export function requireViewer(req: FastifyRequest, why = 'Please sign in first.'): Viewer {
  if (!req.viewer) throw new HttpError(401, why);
  return req.viewer;
}

/** A preHandler for pages: guests go to /login?next=<this page>. */
export async function signInFirst(req: FastifyRequest, reply: FastifyReply) {
  if (!req.viewer) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
}

/**
 * A preValidation hook for routes kept for a right (the admin pages, the review queue): a guest
 * is sent to sign in from a page and refused with 401 from a form; a viewer without the right
 * gets 403. It runs before the body and the address are checked against the route's schema, so
 * a member hears that the form is not theirs, not what it would accept (the viewer is known
 * from the session by then: server/sessions).
 */
export function requireRight(action: Action, why: string) {
  return async function rightGuard(req: FastifyRequest, reply: FastifyReply) {
    if (!req.viewer) {
      if (req.method === 'GET' || req.method === 'HEAD') return signInFirst(req, reply);
      throw new HttpError(401, 'Please sign in first.');
    }
    if (!can(req.viewer, action)) throw forbidden(why);
  };
}

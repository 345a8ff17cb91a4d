// Who must be signed in. Pages send a guest to sign in and bring them back; form actions
// refuse with 401 (the page the form was on already said "sign in").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';
import type { Viewer } from '../permissions.ts';

export function requireViewer(req: FastifyRequest, why = 'Please sign in first.'): Viewer {
  if (!req.viewer) throw new HttpError(401, why);
  return req.viewer;
}

/** A preHandler for pages: guests go to /login?next=<this page>. */
export async function signInFirst(req: FastifyRequest, reply: FastifyReply) {
  if (!req.viewer) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
}

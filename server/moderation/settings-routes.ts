// /admin/settings and /admin/watched-words: the moderation settings and watched words admins keep.
import type { FastifyPluginAsync } from 'fastify';

export const spamSettings: FastifyPluginAsync = async (_app) => {};

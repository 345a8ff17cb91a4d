// Moderators' thread actions: close after a time, unlist, move, merge, split, slow mode.
import type { FastifyPluginAsync } from 'fastify';

export const threadActions: FastifyPluginAsync = async (_app) => {};

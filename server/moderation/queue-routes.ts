// /mod: the review queue, and the actions that resolve its items.
import type { FastifyPluginAsync } from 'fastify';

export const queue: FastifyPluginAsync = async (_app) => {};

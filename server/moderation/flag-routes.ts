// Flags on posts: members raise them, their weights add up, and a post past the threshold hides.
import type { FastifyPluginAsync } from 'fastify';

export const flags: FastifyPluginAsync = async (_app) => {};

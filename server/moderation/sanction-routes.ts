// Sanctions (warn, silence, suspend, ban) and the appeals members file against them.
import type { FastifyPluginAsync } from 'fastify';

export const sanctions: FastifyPluginAsync = async (_app) => {};

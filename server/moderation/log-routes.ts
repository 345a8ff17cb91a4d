// /mod/log: the staff action log, filterable by actor, action and target.
import type { FastifyPluginAsync } from 'fastify';

export const staffLog: FastifyPluginAsync = async (_app) => {};

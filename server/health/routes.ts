// Liveness (the process answers) and readiness (the database answers), as JSON.
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { sql } from 'kysely';

export const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (req, reply) => {
    try {
      await sql`select 1`.execute(app.db);
      return { status: 'ready', database: 'ok' };
    } catch (err) {
      // The load balancer only sees the status: the log says why this process left it.
      req.log.warn({ err }, 'readyz: the database does not answer');
      return reply.code(503).send({ status: 'unavailable', database: (err as Error).message });
    }
  });
};

/**
 * The benchmark's yardstick: a plain route answering a pre-built string of the requested
 * size, in the same process as the pages, so every page's speed can be read as a ratio to it.
 * Registered only with HEARTH_BENCH=1.
 */
export const benchRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const bodies = new Map<number, string>();
  const params = { type: 'object', required: ['bytes'], properties: { bytes: { type: 'integer', minimum: 0, maximum: 1_000_000 } } } as const;
  app.get('/__bench/bare/:bytes', { schema: { params } }, async (req, reply) => {
    const { bytes } = req.params;
    let body = bodies.get(bytes);
    if (body === undefined) {
      body = '<!doctype html>' + 'x'.repeat(Math.max(0, bytes - 15));
      bodies.set(bytes, body);
    }
    return reply.type('text/html; charset=utf-8').send(body);
  });
  // Where the process's memory is, for the bench to tell a heap that grows from the rest.
  app.get('/__bench/memory', async () => process.memoryUsage());
};

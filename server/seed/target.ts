// Which database a seed writes to: the configured one, or another one by name on the same
// server (benchmarks keep hearth_bench_10k and hearth_bench_1m side by side), created when
// missing. A database that exists and is not Hearth's is never touched.
import pg from 'pg';
import { withDatabase } from '../db/embedded.ts';
import { HttpError } from '../errors.ts';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED = new Set(['postgres', 'template0', 'template1']);

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The URL of database `name` on the server of `configuredUrl`, made ready for a seed: created
 * when missing; refused when it holds tables but no migrations of ours.
 */
export async function seedTarget(configuredUrl: string, name: string): Promise<string> {
  if (!NAME.test(name) || RESERVED.has(name)) {
    throw new HttpError(422, 'Please correct:', { database: 'use lowercase letters, digits and _ (like hearth_bench_1m), not a system database' });
  }
  const url = withDatabase(configuredUrl, name);
  const exists = await query(configuredUrl, 'select 1 from pg_database where datname = $1', [name]);
  if (!exists.length) {
    // The name was checked above: it is safe as an identifier.
    await query(configuredUrl, `create database ${name}`);
    return url;
  }
  const [tables] = await query<{ all: number; ours: number }>(
    url,
    `select count(*)::int as all, count(*) filter (where table_name = 'kysely_migration')::int as ours
     from information_schema.tables where table_schema = 'public'`,
  );
  if (tables.all > 0 && tables.ours === 0) {
    throw new HttpError(409, `The database ${name} holds tables that are not Hearth's; seeding goes only into a Hearth database or a new one.`);
  }
  return url;
}

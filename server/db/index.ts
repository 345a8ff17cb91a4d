import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import { FileMigrationProvider, Kysely, Migrator, PostgresDialect, sql, type MigrationProvider, type MigrationResult } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// int8 (ids, counts) as JavaScript numbers: they stay far below 2^53, and BigInt breaks JSON
// and template arithmetic. numeric (averages in reports) likewise.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));
// A date (member_days.day) stays the calendar day it names, 'YYYY-MM-DD', rather than becoming
// midnight in this process's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** A unique constraint refused the write (PostgreSQL 23505); `constraint` names which. */
export function isUniqueViolation(err: unknown): err is { code: string; constraint?: string } {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

export interface DbOptions {
  url: string;
  /** Pool size; the default suits a 2-core machine (see docs/scaling.md). */
  max?: number;
  /** Called once for every query sent (tests count a page's queries with it). */
  onQuery?: (sql: string) => void;
  /** Where a lost idle connection is told (the app's logger); standard error without one. */
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

const IDLE_LOST = 'database: an idle database connection was lost; the pool opens another when one is needed';

const PLAN_EACH_CALL = '/* plan each call */';

/**
 * Ends a query (`.modifyEnd(planEachCall)`) whose best plan depends on its values, so that it is
 * planned for them on every call instead of kept as a named statement. A member's threads are a
 * handful or thousands: the generic plan guesses a few, fetches them all and sorts them.
 */
export const planEachCall = sql.raw(PLAN_EACH_CALL);

/**
 * Statements are named by their text, so each connection prepares a query once and PostgreSQL
 * keeps its plan, instead of planning it anew on every page (a list query's planning cost more
 * than running it). Full-text searches stay unnamed: a generic plan can skip the GIN index, and
 * each search should be planned for its own words; so do queries ended by planEachCall.
 * PostgreSQL re-plans a prepared statement when a table it reads changes, so a migration run
 * while the app is up costs a re-plan.
 */
function prepareByName(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    // Parameterless statements (migrations, DDL) are left alone: a kept plan must never outlive a schema change.
    if (typeof text !== 'string' || !Array.isArray(values) || !values.length || text.includes('@@') || text.endsWith(PLAN_EACH_CALL)) return query(text, values, ...rest);
    let name = names.get(text);
    if (!name) {
      name = 'h' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
      names.set(text, name);
    }
    return query({ name, text, values }, ...rest);
  };
}

export function createDb(opts: DbOptions): Db {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10 });
  // A connection dropped by the server while idle (restart, failover, fast shutdown) must not
  // crash the process; the pool has let it go already.
  pool.on('error', (err) => {
    if (opts.log) opts.log.warn({ err }, IDLE_LOST);
    else process.stderr.write(`hearth: ${IDLE_LOST}: ${err.message}\n`);
  });
  pool.on('connect', prepareByName);
  const onQuery = opts.onQuery;
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (onQuery && event.level === 'query') onQuery(event.query.sql);
    },
  });
}

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Migrations that may run after one that sorts later. 0023 landed on main after 0024 (numbered
 * before it), so a database migrated in between has run 0024 and not 0023; 0025 then makes what
 * 0024 did there, under whichever of its versions, what a fresh migration makes. No other name is
 * ever added here: a migration that has landed is never inserted before the last one.
 */
const LATE_MIGRATIONS = new Set(['0023_member_counts', '0023_member_counts_backfill']);

export interface MigrateOptions {
  /** Stop once this migration has run (the history test replays the migrations step by step). */
  to?: string;
  /** Where the migrations come from: the migrations folder unless a test gives others. */
  provider?: MigrationProvider;
}

/**
 * Runs the pending migrations (up to `to`), in name order; a failed one stops with its error.
 *
 * Kysely refuses to run a migration that sorts before one already run (unless
 * allowUnorderedMigrations), which refuses every database that ran 0024 before 0023 existed.
 * Kysely's check cannot stay on, even for a moment: it compares the order the database ran its
 * migrations in (by time) with their names, so such a database, once it has run 0023, would be
 * refused forever after. So Kysely's check is off, and the same rule is checked here from names
 * alone, with the one known exception (LATE_MIGRATIONS): a pending migration that sorts before the
 * newest one run is refused, as Kysely would, rather than run out of order on some databases only.
 */
export async function migrate(db: Kysely<any>, opts: MigrateOptions = {}): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: opts.provider ?? new FileMigrationProvider({ fs, path, migrationFolder: migrationsDir }),
    allowUnorderedMigrations: true,
  });
  const migrations = await migrator.getMigrations();
  const newest = migrations.filter((m) => m.executedAt).at(-1)?.name;
  const early = migrations.find((m) => !m.executedAt && newest !== undefined && m.name < newest && !LATE_MIGRATIONS.has(m.name));
  if (early) {
    throw new Error(
      `migration ${early.name} sorts before ${newest}, which this database has run: a migration that has landed is ` +
        `never inserted before the last one (give it the next number instead)`,
    );
  }
  const { error, results } = opts.to ? await migrator.migrateTo(opts.to) : await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results ?? [];
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** Number of queries sent since the app was built. */
    queryCount(): number;
  }
}

/** Decorates the app with `db`; the pool closes with the app. */
export const database = fp(
  async (app, opts: { url: string; poolSize?: number }) => {
    let count = 0;
    const db = createDb({ url: opts.url, max: opts.poolSize, onQuery: () => count++, log: app.log });
    app.decorate('db', db);
    app.decorate('queryCount', () => count);
    app.addHook('onClose', async () => db.destroy());
  },
  { name: 'database' },
);

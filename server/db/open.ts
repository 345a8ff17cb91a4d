// The database the configuration names: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR.
import pg from 'pg';
import { startEmbedded, withDatabase } from './embedded.ts';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server if this process started it and nobody else is connected. */
  close(): Promise<void>;
}

const APP_DATABASE = 'hearth';

async function ensureDatabase(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

const OTHERS_TRIES = 20;

async function othersConnected(serverUrl: string, log?: (line: string) => void): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
    // A connection this process has just closed leaves pg_stat_activity a moment later (its
    // backend exits after the client hangs up): asked at once, the server's own closing pools
    // could look like someone else's. So the count is asked again for up to two seconds; a
    // script or a server beside this one stays connected far longer than that.
    for (let tries = 0; ; tries++) {
      const { rows } = await client.query(
        "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
      );
      if (rows[0].n === 0) return false;
      if (tries >= OTHERS_TRIES) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    // A server that does not answer serves nobody: it is stopped, and the reason said.
    log?.(`Could not ask the embedded PostgreSQL who else uses it (${(err as Error).message}); stopping it.`);
    return false;
  } finally {
    await client.end();
  }
}

export async function openDatabase(
  config: { databaseUrl: string | null; dataDir: string },
  opts: { log?: (line: string) => void; adopt?: boolean } = {},
): Promise<OpenDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, close: async () => {} };
  const server = await startEmbedded({ dataDir: config.dataDir, log: opts.log, adopt: opts.adopt });
  await ensureDatabase(server.url, APP_DATABASE);
  return {
    url: withDatabase(server.url, APP_DATABASE),
    embedded: true,
    async close() {
      if (!server.owned) return;
      // Still in use (a script beside `npm start`, or `npm start` beside a script): leave it up;
      // whoever is last takes it down.
      if (await othersConnected(server.url, opts.log)) return;
      await server.stop();
    },
  };
}

// Reads the environment, opens the database (starting the embedded one when DATABASE_URL is
// unset), runs migrations, creates the demo community on a first embedded start, and listens.
// Ctrl-C closes the app and then the database; a second Ctrl-C forces the exit.
import { productionCost } from './accounts/passwords.ts';
import { buildApp } from './app.ts';
import { ConfigError, readConfig, type Config } from './config.ts';
import { createDb, migrate } from './db/index.ts';
import { openDatabase, type OpenDatabase } from './db/open.ts';
import { isEmpty, seedDemo } from './demo/seed.ts';

const started = performance.now();
const say = (line: string) => process.stdout.write(line + '\n');

let config: Config;
try {
  config = readConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`hearth: ${err.message}\n`);
  process.exit(1);
}

let database: OpenDatabase | undefined;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
let stopping = false;

async function shutdown(code: number) {
  try {
    await app?.close();
  } finally {
    await database?.close().catch((err) => process.stderr.write(`hearth: stopping the database failed: ${err.message}\n`));
    if (code === 0) say('Stopped.');
    process.exit(code);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      say('Forced exit.');
      process.exit(130);
    }
    stopping = true;
    say('\nStopping Hearth… (press Ctrl-C again to force)');
    void shutdown(0);
  });
}

try {
  database = await openDatabase(config, { log: say, adopt: true });
  const db = createDb({ url: database.url, max: 2 });
  try {
    const applied = await migrate(db);
    if (applied.length) say(`Applied ${applied.length} migration(s).`);
    if (database.embedded && (await isEmpty(db))) {
      const demo = await seedDemo(db, productionCost);
      say('');
      say('Created a demo community and an administrator account:');
      say(`  username: ${demo.adminUsername}`);
      say(`  password: ${demo.adminPassword}`);
      say('This password is shown only this once: keep it now.');
      say('');
    }
  } finally {
    await db.destroy();
  }
  app = await buildApp({ ...config, databaseUrl: database.url });
  await app.listen({ host: config.host, port: config.port });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`Hearth is ready on ${config.baseUrl} (listening on ${config.host}:${config.port}, started in ${seconds} s)`);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  const line =
    e.code === 'EADDRINUSE'
      ? `port ${config.port} on ${config.host} is in use; set PORT to a free port`
      : e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND'
        ? `cannot reach the database at DATABASE_URL (${e.message})`
        : (e.message ?? String(err));
  process.stderr.write(`hearth: ${line}\n`);
  if (config.nodeEnv === 'development') console.error(err);
  await shutdown(1);
}

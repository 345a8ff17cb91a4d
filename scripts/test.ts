// npm test / npm run test:e2e: one PostgreSQL for the whole run (TEST_DATABASE_URL, or an
// embedded one in a temporary folder), a template database migrated once, then tap; each
// test file clones its own database from the template (test/helpers/database.ts).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, migrate } from '../server/db/index.ts';
import { startEmbedded, withDatabase } from '../server/db/embedded.ts';

const e2e = process.argv.includes('--e2e');
const tap = path.resolve('node_modules/.bin/tap');

// tap compiles its plugin set into itself; a fresh install still has the TypeScript plugin,
// which breaks on TypeScript 7 (.taprc removes it and loads tsx instead), so rebuild once.
const built = path.resolve('node_modules/@tapjs/test/test-built/dist/esm/index.js');
if (!existsSync(built) || readFileSync(built, 'utf8').includes('@tapjs/typescript')) {
  const build = spawnSync(tap, ['build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const passThrough = process.argv.slice(2).filter((a) => a !== '--e2e');
const started = performance.now();

let serverUrl = process.env.TEST_DATABASE_URL;
let stopServer = async () => {};
let tmp: string | undefined;
if (!serverUrl) {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));
  chmodSync(tmp, 0o755); // PostgreSQL runs as the postgres user when we are root
  const server = await startEmbedded({
    dataDir: tmp,
    // Durability is worth nothing for a database that is thrown away after the run.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  serverUrl = server.url;
  stopServer = server.stop;
}

const template = `hearth_tpl_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
let code = 1;
// Whatever fails (a migration that does not run, say), the embedded server stops and its folder goes.
try {
  await admin.connect();
  const { rows } = await admin.query('show server_version');
  console.log(`# PostgreSQL ${rows[0].server_version}${process.env.TEST_DATABASE_URL ? ' (TEST_DATABASE_URL)' : ' (embedded)'}`);
  await admin.query(`create database ${template}`);
  const db = createDb({ url: withDatabase(serverUrl, template), max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }

  const files = passThrough.filter((a) => !a.startsWith('-'));
  const flags = passThrough.filter((a) => a.startsWith('-'));
  const testFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) return full === path.join('test', 'e2e') && !e2e ? [] : testFiles(full);
      return d.name.endsWith('.test.ts') ? [full] : [];
    });
  const tapArgs = [...flags, ...(files.length ? files : testFiles(e2e ? path.join('test', 'e2e') : 'test'))];
  code = await new Promise<number>((resolve) => {
    const child = spawn(tap, tapArgs, {
      stdio: 'inherit',
      env: { ...process.env, HEARTH_TEST_SERVER_URL: serverUrl, HEARTH_TEST_TEMPLATE: template, NODE_ENV: 'test' },
    });
    child.on('close', (c) => resolve(c ?? 1));
  });

  // Leftover databases of this run (a file that crashed before its teardown), then the template.
  const leftovers = await admin.query('select datname from pg_database where datname like $1', [`${template.replace('tpl', 't')}%`]);
  for (const r of leftovers.rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
  await admin.query(`drop database if exists ${template} with (force)`);
} catch (err) {
  console.error(err);
} finally {
  await admin.end();
  await stopServer();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
console.log(`# test run took ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);

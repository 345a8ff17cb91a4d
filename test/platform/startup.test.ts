// `npm start` as a user runs it: a real process, a real port, real signals.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cloneDatabase } from '../helpers/database.ts';
import { freePort, runScript } from '../helpers/process.ts';

// A DATA_DIR of its own for each start that names none, reachable by the postgres user as
// before (a private one moves the cluster: root-start.test.ts), gone at the end.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hearth-start-'));
chmodSync(scratch, 0o755);
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  return runScript('server/main.ts', { env: { DATA_DIR: mkdtempSync(path.join(scratch, 'data-')), ...env } });
}

for (const [env, message] of [
  [{ PORT: 'abc' }, /^hearth: PORT must be a whole number from 1 to 65535 \(got "abc"\)\n$/],
  [{ DATABASE_URL: 'mysql://db/x' }, /^hearth: DATABASE_URL must start with postgres/],
  [{ NODE_ENV: 'staging' }, /^hearth: NODE_ENV /],
] as const) {
  t.test(`start-up with ${JSON.stringify(env)} stops with one clear line`, async (t) => {
    const run = start(env);
    t.equal(await run.exited, 1);
    t.match(run.err(), message);
    t.equal(run.err().trim().split('\n').length, 1, 'one line');
    t.notMatch(run.out(), /ready/, 'nothing half-started');
  });
}

t.test('an unreachable DATABASE_URL stops start-up with one clear line', async (t) => {
  const run = start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', PORT: String(await freePort()) });
  t.equal(await run.exited, 1);
  t.match(run.err(), /^hearth: cannot reach the database at DATABASE_URL/);
});

t.test('with DATABASE_URL it migrates, serves, and stops cleanly on SIGINT', async (t) => {
  const database = await cloneDatabase();
  t.teardown(() => database.drop());
  const port = await freePort();
  const run = start({ DATABASE_URL: database.url, PORT: String(port), NODE_ENV: 'test' });
  for (let i = 0; i < 200 && !/ready on/.test(run.out()); i++) await new Promise((r) => setTimeout(r, 100));
  t.match(run.out(), /Hearth is ready on http:\/\/localhost:\d+/);
  t.notMatch(run.out(), /password:/, 'no demo community on an external database');
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  t.equal(res.status, 200);
  t.same(await res.json(), { status: 'ready', database: 'ok' });
  run.child.kill('SIGINT');
  t.equal(await run.exited, 0);
  t.match(run.out(), /Stopped\./);
});

t.test('with no DATABASE_URL: the embedded database, a demo community, a second start reusing it', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hearth-embedded-'));
  chmodSync(dataDir, 0o755); // as root, so that the cluster stays in DATA_DIR/pg (root-start.test.ts has a private one)
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = String(await freePort());
  const waitReady = async (run: ReturnType<typeof start>) => {
    for (let i = 0; i < 300 && !/ready on/.test(run.out()) && run.child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const first = start({ DATA_DIR: dataDir, PORT: port, NODE_ENV: 'test' });
  await waitReady(first);
  t.match(first.out(), /Hearth is ready/, first.err());
  const password = /password: (\S+)/.exec(first.out())?.[1];
  t.ok(password, 'the admin password is printed on the first start');
  t.ok(existsSync(path.join(dataDir, 'pg', 'PG_VERSION')), 'a DATA_DIR the server can reach holds the cluster itself');
  t.notOk(JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8')).dir, 'and pg.json names no other place');
  const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  t.match(home, /Welcome to the community!/, 'the demo community is there');

  // A script run beside the server uses the same database rather than starting another.
  const script = runScript('scripts/user-create.ts', {
    args: ['--username', 'beside', '--email', 'beside@example.com', '--password', 'long enough pass', '--role', 'moderator'],
    env: { DATA_DIR: dataDir, NODE_ENV: 'test' },
  });
  const status = await script.exited;
  const scriptOut = script.out() + script.err();
  t.equal(status, 0, scriptOut);
  t.match(scriptOut, /Created beside \(id \d+, role moderator, rank 0\)/);
  t.equal((await fetch(`http://127.0.0.1:${port}/u/beside`)).status, 200, 'the running server sees the new member');

  first.child.kill('SIGINT');
  t.equal(await first.exited, 0);
  t.notOk(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'the embedded database stopped too');

  const second = start({ DATA_DIR: dataDir, PORT: port, NODE_ENV: 'test' });
  await waitReady(second);
  t.match(second.out(), /Hearth is ready/);
  t.notMatch(second.out(), /password:/, 'no second demo community');
  t.equal((await fetch(`http://127.0.0.1:${port}/u/beside`)).status, 200, 'the data is still there');
  second.child.kill('SIGINT');
  t.equal(await second.exited, 0);
});

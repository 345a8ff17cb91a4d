// Background jobs (server/jobs): the sweeps run as jobs on the queue in the app's database, a
// scheduled run happens in one process however many share the database, and closing the app
// stops the queue.
import { Logger, runMigrations, type Job } from 'graphile-worker';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import type { Db } from '../../server/db/index.ts';
import { cloneDatabase } from '../helpers/database.ts';
import { testApp, testConfig } from '../helpers/app.ts';
import { capturedLog } from '../helpers/log.ts';

const ago = (ms: number) => new Date(Date.now() - ms);
const later = (ms: number) => new Date(Date.now() + ms);
const HOUR = 60 * 60 * 1000;
const quiet = new Logger(() => () => {});

async function expiredAndLive(db: Db) {
  await db
    .insertInto('sessions')
    .values([
      { id: 'expired', user_id: null, data: '{}', expires_at: ago(1000) },
      { id: 'live', user_id: null, data: '{}', expires_at: later(HOUR) },
    ])
    .execute();
  await db
    .insertInto('rate_limits')
    .values([
      { key: 'expired', count: 1, reset_at: ago(1000) },
      { key: 'live', count: 1, reset_at: later(HOUR) },
    ])
    .execute();
}

const left = async (db: Db) => ({
  sessions: (await db.selectFrom('sessions').select('id').execute()).map((r) => r.id),
  rateLimits: (await db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key),
});

t.test('the scheduled sweeps delete expired sessions and rate-limit windows when they run', async (t) => {
  const { app, db } = await testApp(t, { jobs: true });
  const runner = app.jobs;
  if (!runner) throw new Error('jobs are on in this test');
  await expiredAndLive(db);

  const done = new Map<string, Job>();
  const bothDone = new Promise<void>((resolve) =>
    runner.events.on('job:complete', ({ job, error }) => {
      if (error) t.fail(`${job.task_identifier} failed: ${String(error)}`);
      done.set(job.task_identifier, job);
      if (done.size === 2) resolve();
    }),
  );
  // Queued as their schedule queues them, without waiting for the clock.
  await runner.addJob('sessions_sweep', {});
  await runner.addJob('rate_limits_sweep', {});
  await bothDone;
  t.same(await left(db), { sessions: ['live'], rateLimits: ['live'] }, 'the expired rows are gone, the live ones stay');
});

t.test('two processes on one database: a scheduled run happens once', async (t) => {
  // The test makes the hourly tick it runs be one just past; keep the next one out of it.
  const toNextHour = HOUR - (Date.now() % HOUR);
  if (toNextHour < 15_000) await new Promise((r) => setTimeout(r, toNextHour + 1000));

  const database = await cloneDatabase();
  t.teardown(() => database.drop());
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  t.teardown(() => client.end());
  // The queue's tables as the first start makes them, and a schedule known for two hours whose
  // last tick nobody ran (every process was down across it): each process that starts catches up.
  await runMigrations({ connectionString: database.url, logger: quiet });
  await client.query(`insert into graphile_worker._private_known_crontabs (identifier, known_since) values ('sessions_sweep', now() - interval '2 hours')`);
  await client.query(`insert into sessions (id, data, expires_at) values ('expired', '{}', now() - interval '1 second'), ('live', '{}', now() + interval '1 hour')`);

  const logs = [capturedLog(), capturedLog()];
  // Started at the same moment, as after a deploy.
  const apps = await Promise.all(logs.map((log) => buildApp(testConfig(database.url, { jobs: true, logger: log.config }))));
  t.teardown(() => Promise.all(apps.map((a) => a.close())));

  // Both have caught up (their schedules are registered once the app is built): whatever they
  // queued is in the table now. Wait until it has all run.
  for (;;) {
    const { rows } = await client.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'sessions_sweep'`);
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const runs = logs.map((log) => log.lines.filter((l) => /Completed task \d+ \(sessions_sweep\b.*with success/.test(l.msg)).length);
  t.equal(runs[0] + runs[1], 1, `the missed tick ran once, not once per process (runs: ${runs.join(' and ')})`);
  const { rows } = await client.query(`select last_execution from graphile_worker._private_known_crontabs where identifier = 'sessions_sweep'`);
  t.ok(rows[0].last_execution, 'the tick is recorded as run');
  t.same((await left(apps[0].db)).sessions, ['live'], 'and it swept');
});

t.test('closing the app stops the queue: it ends with no connection left open', async (t) => {
  const database = await cloneDatabase();
  t.teardown(() => database.drop());
  const app = await buildApp(testConfig(database.url, { jobs: true }));
  const runner = app.jobs;
  if (!runner) throw new Error('jobs are on in this test');
  await app.close();
  await runner.promise;
  t.pass('the runner has stopped');

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  t.teardown(() => client.end());
  const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
  t.equal(rows[0].n, 0, 'neither the app nor the queue keeps a connection');
});

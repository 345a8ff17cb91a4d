// The change bus (server/cache/change-bus.ts) losing its connection: the process says so,
// serves everything from the database meanwhile, and caches again once it is back.
import pg from 'pg';
import t from 'tap';
import { ChangeBus, CHANNEL, retryDelay } from '../../server/cache/change-bus.ts';
import { endSessionsOf } from '../../server/sessions/index.ts';
import { testApp } from '../helpers/app.ts';
import { capturedLog, WARN, type LogLine } from '../helpers/log.ts';

const lost = (l: LogLine) => l.level >= WARN && /change bus/.test(l.msg) && /lost/.test(l.msg);
const back = (l: LogLine) => /change bus/.test(l.msg) && /listening again/.test(l.msg);

/** Ends backends of the app's database from outside, as a restart or a failover would. */
async function terminate(databaseUrl: string, which: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and ${which}`,
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

t.test('the change bus says when its connection is lost, serves fresh pages meanwhile, and comes back', async (t) => {
  const log = capturedLog();
  // Slow to come back, so that the test has time to act while it is down.
  const { make, signIn, app, db, databaseUrl } = await testApp(t, {
    logger: log.config,
    changeBusRetry: { firstMs: 4000, maxMs: 10_000 },
  });
  const thread = await make.thread({ title: 'Before the gap' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const guest = make.guest();
  await guest.get(url);
  t.equal(app.pageCache!.guestPages.size, 1, 'the page is kept');
  const member = await make.member();
  const reader = await signIn(member);
  await reader.get('/search');
  const rules = await app.postingRules.get();
  t.equal(await app.postingRules.get(), rules, 'the settings are kept');

  const dropped = log.next(lost);
  t.equal(await terminate(databaseUrl, `application_name = 'hearth-change-bus'`), 1, 'the listening connection is found by its name');
  const line = await dropped;
  t.match(line.msg, /serving uncached/, 'the log says what it means for the pages');
  t.equal(app.pageCache!.guestPages.size, 0, 'nothing kept is trusted any more');

  // While it is down, a change nobody hears is still shown, and nothing is kept.
  await db.updateTable('threads').set({ title: 'Changed in the gap' }).where('id', '=', thread.id).execute();
  t.equal((await guest.page(url)).h1(), 'Changed in the gap', 'a guest sees the page as it is now');
  t.equal(app.pageCache!.guestPages.size, 0, 'and it is not kept');
  t.not(await app.postingRules.get(), await app.postingRules.get(), 'the settings are read for every post');
  await endSessionsOf(db, member.id);
  t.equal((await reader.page('/search')).querySelector('.nav-user'), null, 'a session ended meanwhile signs the member out');

  await log.next(back);
  t.equal(app.pageCache!.listening, true, 'listening again');
  // Changes are heard again, and pages kept again.
  await db.updateTable('threads').set({ title: 'Changed again' }).where('id', '=', thread.id).execute();
  const before = app.queryCount();
  t.equal((await guest.page(url)).h1(), 'Changed again');
  t.ok(app.queryCount() > before, 'read from the database');
  const q = app.queryCount();
  t.equal((await guest.page(url)).h1(), 'Changed again');
  t.equal(app.queryCount() - q, 0, 'and then served from memory again');
  t.equal(app.pageCache!.guestPages.size, 1);
  const again = await app.postingRules.get();
  t.not(again, rules, 'the settings read before the gap are not used');
  t.equal(await app.postingRules.get(), again, 'and are kept again');
});

t.test('after all the app\'s connections are ended once, each is logged and the caches come back', async (t) => {
  const log = capturedLog();
  const { make, signIn, app, databaseUrl } = await testApp(t, { logger: log.config });
  const thread = await make.thread({ title: 'Through a restart' });
  const url = `/t/${thread.id}/${thread.slug}`;
  const guest = make.guest();
  await guest.get(url);
  const reader = await signIn(await make.member({ username: 'returning' }));
  await reader.get('/search');

  const poolLost = log.next((l) => l.level >= WARN && /idle database connection/.test(l.msg));
  const busBack = log.next(back);
  t.ok((await terminate(databaseUrl, 'true')) >= 2, 'the pool\'s connections and the listening one');
  await poolLost;
  t.pass('an idle pool connection lost is logged');
  await busBack;
  t.ok(log.lines.some(lost), 'so is the listening connection');

  await guest.get(url);
  const q = app.queryCount();
  t.equal((await guest.page(url)).h1(), 'Through a restart');
  t.equal(app.queryCount() - q, 0, 'a guest\'s second request is served from memory');
  // A kept session costs no query: the member's search page then costs what a guest's does.
  const queriesOf = async (agent: typeof reader, path: string) => {
    await agent.get(path);
    const q = app.queryCount();
    t.equal((await agent.get(path)).statusCode, 200);
    return app.queryCount() - q;
  };
  t.equal(await queriesOf(reader, '/search'), await queriesOf(make.guest(), '/search'), 'and a member\'s session is kept again');
  t.equal((await reader.page('/search')).querySelector('.nav-user')?.text, 'returning', 'still signed in');
});

t.test('the bus tries again sooner at first, then at most every ten seconds, never all at once', async (t) => {
  const retry = { firstMs: 100, maxMs: 10_000 };
  const cases: [attempt: number, random: number, ms: number][] = [
    [0, 1, 100],
    [0, 0, 50],
    [1, 1, 200],
    [3, 1, 800],
    [3, 0.5, 600],
    [7, 1, 10_000],
    [20, 1, 10_000],
    [20, 0, 5_000],
  ];
  for (const [attempt, random, ms] of cases) t.equal(retryDelay(attempt, retry, random), ms, `attempt ${attempt}, jitter ${random}`);
});

t.test('writes asking for their announcements at once share markers, and each hears its own', async (t) => {
  const { app, databaseUrl } = await testApp(t);
  const bus = new ChangeBus(databaseUrl, app.log);
  await bus.start();
  t.teardown(() => bus.close());
  // Another listener counts the markers the bus sends.
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await watcher.connect();
  t.teardown(() => watcher.end());
  let markers = 0;
  watcher.on('notification', (n) => {
    if (n.payload?.startsWith('sync:')) markers++;
  });
  await watcher.query(`listen ${CHANNEL}`);

  const writes = 30;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  t.teardown(() => pool.end());
  const heard = await Promise.all(
    Array.from({ length: writes }, async (_, i) => {
      const snapshot = bus.snapshot([`test-write:${i}`]);
      await pool.query('select pg_notify($1, $2)', [CHANNEL, `test-write:${i}`]);
      await bus.sync();
      // Synced: the write's own announcement is in, so what was read before it is old.
      return !bus.current(snapshot);
    }),
  );
  t.same(heard, Array(writes).fill(true), 'every write hears its own announcement before it answers');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(markers >= 1 && markers < writes, `${markers} markers for ${writes} writes`);
});

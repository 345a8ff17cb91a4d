// npm run seed -- --demo: the demo community (on an empty database).
// npm run seed -- --posts N [--database NAME] [--replace]: a large synthetic community for
// benchmarks (server/seed/large.ts), into the configured database or database NAME on the
// same server (created when missing). A database with threads is refused unless --replace.
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { productionCost } from '../server/accounts/passwords.ts';
import { readConfig } from '../server/config.ts';
import { createDb, migrate } from '../server/db/index.ts';
import { openDatabase } from '../server/db/open.ts';
import { isEmpty, seedDemo } from '../server/demo/seed.ts';
import { HttpError } from '../server/errors.ts';
import { BENCH_PASSWORD, BENCH_SESSION_PREFIX, emptyCommunity, hasThreads, seedLarge } from '../server/seed/large.ts';
import { progressReporter } from '../server/seed/progress.ts';
import { seedTarget } from '../server/seed/target.ts';
import { runScript } from './run.ts';

const usage = 'usage: npm run seed -- --demo [--database NAME]\n       npm run seed -- --posts N [--database NAME] [--replace]';

await runScript(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        demo: { type: 'boolean' },
        posts: { type: 'string' },
        database: { type: 'string' },
        replace: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new HttpError(400, `${(err as Error).message}\n${usage}`);
  }
  if (Boolean(values.demo) === (values.posts !== undefined)) throw new HttpError(400, usage);
  const posts = values.posts === undefined ? 0 : Number(values.posts.replace(/_/g, ''));
  if (values.posts !== undefined && (!/^[\d_]+$/.test(values.posts) || posts < 1)) {
    throw new HttpError(422, 'Please correct:', { posts: 'must be a whole number of posts, like 1000000' });
  }

  const config = readConfig();
  const database = await openDatabase(config);
  let db;
  try {
    const url = values.database ? await seedTarget(database.url, values.database) : database.url;
    const name = new URL(url).pathname.slice(1);
    db = createDb({ url, max: 2 });
    await migrate(db);

    if (values.demo) {
      if (!(await isEmpty(db))) throw new HttpError(409, 'This database already has members; the demo community goes only into an empty one.');
      const demo = await seedDemo(db, productionCost);
      console.log(`Created the demo community. Administrator: ${demo.adminUsername} / ${demo.adminPassword} (shown only this once).`);
      return;
    }

    if (await hasThreads(db)) {
      if (!values.replace) throw new HttpError(409, `The database ${name} already has threads; add --replace to empty it and seed again.`);
      await emptyCommunity(db);
    }
    console.log(`Seeding ${posts.toLocaleString('en')} posts into ${name}.`);
    const started = performance.now();
    const reporter = progressReporter();
    let result;
    try {
      result = await seedLarge(db, { posts, onProgress: (p) => reporter.onProgress(p) });
    } finally {
      reporter.stop();
    }
    const { rows } = await sql<{ size: string }>`select pg_size_pretty(pg_database_size(current_database())) as size`.execute(db);
    const s = result.sizes;
    console.log(
      [
        `Done in ${((performance.now() - started) / 1000).toFixed(1)} s; ${name} takes ${rows[0].size}.`,
        `${s.members.toLocaleString('en')} members (member1 … member${s.members}, password "${BENCH_PASSWORD}"), ` +
          `${s.categories} categories, ${s.threads.toLocaleString('en')} threads, ${s.posts.toLocaleString('en')} posts, ` +
          `${result.rows.likes.toLocaleString('en')} likes, ${result.rows.reads.toLocaleString('en')} read marks, ` +
          `${result.rows.reputationEvents.toLocaleString('en')} reputation events, ${result.rows.badges.toLocaleString('en')} badges.`,
        `Signed-in sessions ${BENCH_SESSION_PREFIX}1 … ${BENCH_SESSION_PREFIX}${s.sessions} (benchSessionCookie in server/seed/large.ts signs them).`,
        ...(result.unhandledTriggers.length
          ? [`Row triggers ran for every row: the seed does not stand in for ${result.unhandledTriggers.join(', ')} (server/seed/large.ts).`]
          : result.triggers === 'ran'
            ? ['Row triggers ran for every row (this database role may not skip them); a superuser seeds faster.']
            : []),
      ].join('\n'),
    );
  } finally {
    await db?.destroy();
    await database.close();
  }
});

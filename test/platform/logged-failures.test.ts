// The hourly and ten-minute sweeps run on timers, where an error has nobody to reach but the log.
import t from 'tap';
import { createDb } from '../../server/db/index.ts';
import { deleteExpiredRateLimits, sweepExpiredRateLimits } from '../../server/security/rate-limit-store.ts';
import { testApp } from '../helpers/app.ts';
import { capturedLog, WARN } from '../helpers/log.ts';

t.test('a rate-limit sweep that fails says so in the log', async (t) => {
  const log = capturedLog();
  const { databaseUrl, db, app } = await testApp(t, { logger: log.config });
  await db.insertInto('rate_limits').values({ key: 'old', count: 1, reset_at: new Date(Date.now() - 1000) }).execute();
  const warned = () => log.lines.filter((l) => l.level >= WARN);
  await sweepExpiredRateLimits(db, app.log);
  t.same(await db.selectFrom('rate_limits').select('key').execute(), [], 'a sweep deletes expired windows');
  t.equal(warned().length, 0);

  // A pool that has been used, then closed: its queries fail.
  const closed = createDb({ url: databaseUrl, max: 1 });
  await deleteExpiredRateLimits(closed);
  await closed.destroy();
  await sweepExpiredRateLimits(closed, app.log);
  t.equal(warned().length, 1, 'a failed one is logged');
  t.match(warned()[0].msg, /rate limits/);
  t.match(warned()[0].err?.message, /destroyed/, 'with its error');
});

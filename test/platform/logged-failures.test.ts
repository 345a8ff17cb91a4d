// Failures with nobody to answer but the log (a sweep on a timer, a probe, a cookie that does not
// read) are logged with what they were about; a failure that is a bug answers 500.
import { Signer } from '@fastify/cookie';
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { createDb } from '../../server/db/index.ts';
import { FLASH_COOKIE } from '../../server/views/index.ts';
import { deleteExpiredRateLimits, sweepExpiredRateLimits } from '../../server/security/rate-limit-store.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';
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

t.test('a readiness check that cannot reach the database says why, in the answer and in the log', async (t) => {
  const log = capturedLog();
  const { databaseUrl } = await testApp(t);
  const nowhere = new URL(databaseUrl);
  nowhere.pathname = '/no_such_database';
  // No cache: the change bus would not start without its database.
  const app = await buildApp(testConfig(nowhere.toString(), { pageCache: false, logger: log.config }));
  t.teardown(() => app.close());
  const res = await app.inject('/readyz');
  t.equal(res.statusCode, 503);
  t.match(res.json(), { status: 'unavailable', database: /no_such_database/ });
  const line = log.lines.find((l) => l.level >= WARN && /readyz/.test(l.msg));
  t.match(line?.err?.message, /no_such_database/, 'logged with its error');
});

t.test('a signed message cookie that does not read is dropped, and logged', async (t) => {
  const log = capturedLog();
  const { app } = await testApp(t, { logger: log.config });
  const visitor = new Agent(app);
  visitor.cookies.set(FLASH_COOKIE, new Signer(testConfig('').sessionSecret, 'sha256').sign('not a message'));
  const page = await visitor.get('/');
  t.equal(page.statusCode, 200, 'the page is shown');
  t.same(page.page().messages(), [], 'without a message');
  t.match(log.lines.find((l) => l.level >= WARN)?.msg, /message cookie/, 'the cookie is logged');
});

t.test('a stored password hash that cannot be read fails the sign-in loudly, not as a wrong password', async (t) => {
  const log = capturedLog();
  const { app, make, db } = await testApp(t, { logger: log.config });
  const member = await make.member();
  await db.updateTable('users').set({ password_hash: 'not an argon2 hash' }).where('id', '=', member.id).execute();
  const agent = new Agent(app);
  await agent.get('/login');
  const res = await agent.submit('/login', { login: member.username, password: member.password });
  t.equal(res.statusCode, 500, 'a server error, with a request id to report');
  t.ok(res.page().querySelector('.request-id'), 'the page gives a request id');
  t.ok(log.lines.some((l) => l.msg === 'request failed'), 'and logged');
});

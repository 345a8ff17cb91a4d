import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, readConfig } from '../../server/config.ts';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'hearth-config-'));

t.test('defaults', async (t) => {
  const cwd = dir();
  const c = readConfig({}, cwd);
  t.equal(c.port, 3000);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.baseUrl, 'http://localhost:3000');
  t.equal(c.databaseUrl, null);
  t.equal(c.dataDir, path.join(cwd, 'data'));
  t.equal(c.smtpUrl, null);
  t.ok(c.sessionSecret.length >= 32, 'a session secret is generated');
  t.equal(readFileSync(path.join(cwd, 'data', 'session-secret'), 'utf8').trim(), c.sessionSecret, 'and kept');
  t.equal(readConfig({}, cwd).sessionSecret, c.sessionSecret, 'the same on the next start');
});

t.test('every bad value names its variable in one line', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT /],
    [{ PORT: '-1' }, /^PORT /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres:/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL must be a URL/],
    [{ BASE_URL: 'ftp://x' }, /^BASE_URL /],
    [{ SMTP_URL: 'http://mail' }, /^SMTP_URL /],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV must be development, production or test/],
    [{ SESSION_SECRET: 'short' }, /^SESSION_SECRET must be at least 32/],
    [{ HOST: 'a b' }, /^HOST /],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY must be a number of proxy hops or a comma-separated list/],
    [{ TRUST_PROXY: '-1' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '1.5' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '10.0.0.1,' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: '300.1.1.1' }, /^TRUST_PROXY /],
    [{ TRUST_PROXY: 'proxy.internal' }, /^TRUST_PROXY /],
  ];
  for (const [env, message] of cases) {
    let error: unknown;
    try {
      readConfig(env, dir());
    } catch (err) {
      error = err;
    }
    t.ok(error instanceof ConfigError, `${JSON.stringify(env)} is refused`);
    t.match((error as Error).message, message);
    t.notMatch((error as Error).message, /\n/, 'one line');
  }
});

t.test('good values are taken', async (t) => {
  const c = readConfig(
    { PORT: '8080', HOST: '0.0.0.0', BASE_URL: 'https://forum.example/', DATABASE_URL: 'postgres://u@db/hearth', SESSION_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/hx' },
    dir(),
  );
  t.equal(c.port, 8080);
  t.equal(c.host, '0.0.0.0');
  t.equal(c.baseUrl, 'https://forum.example');
  t.equal(c.databaseUrl, 'postgres://u@db/hearth');
  t.equal(c.sessionSecret, 'x'.repeat(40));
  t.equal(c.dataDir, '/tmp/hx');
});

t.test('TRUST_PROXY: how many proxies, or which, may say who the client is', async (t) => {
  const env = { SESSION_SECRET: 'x'.repeat(40) };
  const https = { ...env, BASE_URL: 'https://forum.example' };
  t.equal(readConfig(https, dir()).trustProxy, 1, 'https: one proxy in front by default');
  t.equal(readConfig(env, dir()).trustProxy, 0, 'plain http: none by default');
  t.equal(readConfig({ ...https, TRUST_PROXY: ' 2 ' }, dir()).trustProxy, 2);
  t.equal(readConfig({ ...https, TRUST_PROXY: '0' }, dir()).trustProxy, 0);
  t.same(
    readConfig({ ...env, TRUST_PROXY: '10.0.0.2, 172.16.0.0/12,fd00::/8 , ::1, loopback' }, dir()).trustProxy,
    ['10.0.0.2', '172.16.0.0/12', 'fd00::/8', '::1', 'loopback'],
  );
});

// Reads the environment once into a typed Config. Nothing else in Hearth reads process.env.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  baseUrl: string;
  /** Absent: use the embedded PostgreSQL whose files live in `dataDir/pg`. */
  databaseUrl: string | null;
  dataDir: string;
  sessionSecret: string;
  /** Absent: mail is written to the log. */
  smtpUrl: string | null;
  logger: boolean | { level: string; stream?: NodeJS.WritableStream };
  /** HEARTH_BENCH=1: adds the benchmark's bare comparison route (never in normal use). */
  benchRoutes: boolean;
  /**
   * HEARTH_JOBS=0: this process runs no background jobs (server/jobs); on by default. The
   * processes that keep it on share the jobs: each scheduled run happens in one of them.
   */
  jobs: boolean;
  /**
   * Who may say which address a request came from (X-Forwarded-For) and over which protocol:
   * the number of proxies in front of Hearth, counted from Hearth outwards (0: none), or the
   * addresses and CIDR ranges of the proxies to believe. Sign-in limits count that address.
   */
  trustProxy: TrustProxy;
  /** Sign-in and registration attempts allowed per address per minute. */
  limits: { loginPerMinute: number; registerPerHour: number };
  /** Where uploads are kept (server/uploads/storage.ts): DATA_DIR/uploads, or the bucket of S3_URL. */
  uploads: UploadStorageConfig;
}

/** S3-compatible object storage, from S3_URL (see readS3Url). */
export interface S3Config {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export type UploadStorageConfig = { kind: 'disk'; dir: string } | ({ kind: 's3' } & S3Config);

export type TrustProxy = number | string[];

/** A bad environment value: start-up stops with this one line. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function fail(name: string, problem: string, value: string): never {
  throw new ConfigError(`${name} ${problem} (got "${value}")`);
}

function readPort(env: Env): number {
  const raw = env.PORT?.trim();
  if (!raw) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) fail('PORT', 'must be a whole number from 1 to 65535', raw);
  return port;
}

function readUrl(name: string, raw: string | undefined, protocols: string[]): string | null {
  const value = raw?.trim();
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(name, `must be a URL (${protocols.join(' or ')})`, value);
  }
  if (!protocols.includes(url.protocol)) fail(name, `must start with ${protocols.map((p) => p + '//').join(' or ')}`, value);
  return value;
}

function readFlag(env: Env, name: string, unset = false): boolean {
  const raw = env[name]?.trim();
  if (!raw) return unset;
  if (raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  fail(name, 'must be 1 or 0', raw);
}

function readNodeEnv(env: Env): NodeEnv {
  const raw = env.NODE_ENV?.trim() || 'production';
  if (raw !== 'development' && raw !== 'production' && raw !== 'test') {
    fail('NODE_ENV', 'must be development, production or test', raw);
  }
  return raw;
}

/** Behind https there is a proxy that terminates TLS, one hop away; plain http is served directly. */
export function defaultTrustProxy(baseUrl: string): TrustProxy {
  return baseUrl.startsWith('https:') ? 1 : 0;
}

/**
 * As Fastify's `trustProxy` option. Fastify 5 no longer counts hops itself (a number trusts no
 * one), so the count is a function of the hop; the client address is then the one the
 * outermost trusted proxy saw, the right-most address it did not add itself.
 */
export function trustProxyOption(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return trust > 0 && ((_address, hop) => hop < trust);
}

// The names @fastify/proxy-addr knows for the private ranges (127.0.0.0/8 and ::1, and so on).
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

function readTrustProxy(env: Env, baseUrl: string): TrustProxy {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return defaultTrustProxy(baseUrl);
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((e) => e.trim());
  if (!entries.every(isProxyAddress)) {
    fail('TRUST_PROXY', 'must be a number of proxy hops or a comma-separated list of proxy addresses or CIDR ranges', raw);
  }
  return entries;
}

/**
 * The session secret: SESSION_SECRET when set (32+ characters), otherwise one generated on
 * first start and kept in DATA_DIR so that sessions survive restarts.
 */
function readSessionSecret(env: Env, dataDir: string): string {
  const raw = env.SESSION_SECRET;
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) fail('SESSION_SECRET', 'must be at least 32 characters long', '…');
    return raw;
  }
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * S3_URL: `s3://KEY:SECRET@HOST[:PORT]/BUCKET[?region=REGION]` for https, `s3+http://…` for a
 * server on plain http (a local MinIO). The key and secret are URL-encoded; addressing is by path
 * (HOST/BUCKET/…), which every S3-compatible server understands.
 */
export function readS3Url(raw: string): S3Config {
  const shape = 'must look like s3://KEY:SECRET@HOST/BUCKET (s3+http:// for plain http)';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('S3_URL', shape, raw.replace(/\/\/[^@/]*@/, '//…@'));
  }
  const shown = raw.replace(/\/\/[^@/]*@/, '//…@');
  if (url.protocol !== 's3:' && url.protocol !== 's3+http:') fail('S3_URL', shape, shown);
  const bucket = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!url.username || !url.password || !url.hostname || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fail('S3_URL', shape, shown);
  return {
    endpoint: `${url.protocol === 's3:' ? 'https' : 'http'}://${url.host}`,
    region: url.searchParams.get('region') || 'us-east-1',
    bucket,
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
  };
}

export function readConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const nodeEnv = readNodeEnv(env);
  const port = readPort(env);
  const host = env.HOST?.trim() || '127.0.0.1';
  if (/\s|\//.test(host)) fail('HOST', 'must be a host name or address', host);
  const baseUrl = readUrl('BASE_URL', env.BASE_URL, ['http:', 'https:']) ?? `http://localhost:${port}`;
  const trustProxy = readTrustProxy(env, baseUrl);
  const databaseUrl = readUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  const smtpUrl = readUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']);
  const dataDir = path.resolve(cwd, env.DATA_DIR?.trim() || 'data');
  const sessionSecret = readSessionSecret(env, dataDir);
  const s3Url = env.S3_URL?.trim();
  const uploads: UploadStorageConfig = s3Url ? { kind: 's3', ...readS3Url(s3Url) } : { kind: 'disk', dir: path.join(dataDir, 'uploads') };
  return {
    nodeEnv,
    host,
    port,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    databaseUrl,
    dataDir,
    sessionSecret,
    smtpUrl,
    trustProxy,
    logger: nodeEnv === 'test' ? false : { level: nodeEnv === 'development' ? 'debug' : 'info' },
    benchRoutes: readFlag(env, 'HEARTH_BENCH'),
    jobs: readFlag(env, 'HEARTH_JOBS', true),
    limits: { loginPerMinute: 6, registerPerHour: 10 },
    uploads,
  };
}

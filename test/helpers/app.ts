// testApp(t): the real app on a database of its own, plus fixtures and browsers.
import type { Test } from 'tap';
import { testCost } from '../../server/accounts/passwords.ts';
import { createAccount } from '../../server/accounts/queries.ts';
import { buildApp, type AppConfig } from '../../server/app.ts';
import type { Role, ThreadKind } from '../../server/db/schema.ts';
import { createCategory, createReply, createThread } from '../../server/threads/queries.ts';
import { Agent } from './agent.ts';
import { cloneDatabase } from './database.ts';

export interface Member {
  id: number;
  username: string;
  email: string;
  password: string;
  role: Role;
  rank: number;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid % 10000}_${++counter}`;

/** The configuration every test app runs with, on the given database. */
export function testConfig(databaseUrl: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    nodeEnv: 'test',
    baseUrl: 'http://localhost:3000',
    sessionSecret: 'a test secret that is long enough to sign cookies',
    logger: false,
    limits: { loginPerMinute: 1000, registerPerHour: 1000 },
    databaseUrl,
    poolSize: 5,
    passwordCost: testCost,
    // Background jobs are off unless a test is about them (test/platform/jobs.test.ts).
    jobs: false,
    ...overrides,
  };
}

/**
 * The clock a test app reads (app.now()): real time, plus however far the test moved it on. A
 * test that needs time to pass (a person filling in a form, the wait between two posts) moves
 * it rather than sleeping. A test passing its own `now` keeps full control of time instead.
 */
export class TestClock {
  offset = 0;
  now = () => new Date(Date.now() + this.offset);
  advance(seconds: number) {
    this.offset += seconds * 1000;
  }
}

export async function testApp(t: Test, overrides: Partial<AppConfig> = {}) {
  const database = await cloneDatabase();
  const clock = new TestClock();
  const app = await buildApp(testConfig(database.url, { now: clock.now, ...overrides }));
  t.teardown(async () => {
    await app.close();
    await database.drop();
  });
  const db = app.db;

  const make = {
    /**
     * A member; by default of rank 1 (a regular member past the newcomer's approval and limits).
     * Tests about newcomers ask for `rank: 0`, which is what registering gives.
     */
    async member(opts: { role?: Role; rank?: number; username?: string; password?: string } = {}): Promise<Member> {
      const username = opts.username ?? unique('m');
      const password = opts.password ?? 'a long enough password';
      const email = `${username.toLowerCase()}@example.test`;
      const user = await createAccount(db, { username, email, password, role: opts.role, rank: opts.rank ?? 1 }, testCost);
      return { id: user.id, username, email, password, role: user.role, rank: user.rank };
    },
    async category(opts: { name?: string; slug?: string } = {}) {
      const slug = opts.slug ?? unique('c').replace(/_/g, '-').toLowerCase();
      return createCategory(db, { name: opts.name ?? slug, slug });
    },
    async thread(opts: { by?: Member; title?: string; body?: string; replies?: number; kind?: ThreadKind } = {}) {
      const by = opts.by ?? (await make.member());
      const category = await make.category();
      const thread = await createThread(db, {
        categoryId: category.id,
        userId: by.id,
        title: opts.title ?? 'A thread to talk about',
        body: opts.body ?? 'The first post.',
        kind: opts.kind,
      });
      for (let i = 0; i < (opts.replies ?? 0); i++) await createReply(db, { threadId: thread.id, userId: by.id, body: `Reply ${i + 1}` });
      return thread;
    },
    guest: () => new Agent(app),
  };

  /** A browser signed in through the real /login form. */
  async function signIn(member: Member): Promise<Agent> {
    const agent = new Agent(app);
    await agent.get('/login');
    const res = await agent.submit('/login', { login: member.username, password: member.password });
    t.equal(res.statusCode, 303, `${member.username} signs in`);
    return agent;
  }

  return { app, db, make, signIn, clock, databaseUrl: database.url };
}

// Background jobs on graphile-worker, in the app's own database (schema graphile_worker): the
// periodic sweeps, and the jobs that grant badges and review ranks.
//
// Why graphile-worker and not pg-boss: Hearth runs on Node 20.19+ and 22.12+, and pg-boss 11 and
// 12 need Node 22 (its last release for Node 20 is two majors behind); graphile-worker's 0.17 line
// runs on both (0.18 needs Node 22.18, so the range stays on 0.17 while Node 20 is supported).
// Its crontab is distributed as it comes: every process runs the same schedule, and each tick is
// claimed in one transaction (graphile_worker._private_known_crontabs), so one job is queued per
// tick however many processes are running, and one of them runs it; nothing to create first, no
// leader to elect. A job can also be queued from SQL (graphile_worker.add_job), in the
// transaction of the write that calls for it, whether or not this process runs jobs.
//
// Its tables are made by graphile-worker itself when a runner starts (under an advisory lock, so
// several processes starting at once are safe), and upgraded by it when the library is: they
// are the library's, not a Kysely migration of ours. Tests leave jobs off, so a test database
// never makes them unless its test turns jobs on.
//
// The view counter (server/threads/read-state.ts) stays a timer in each process: what it
// flushes is that process's own batch of views, held in its memory, which no other process could
// write.
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import { Logger, parseCronItems, run, type CronItem, type LogLevel, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Db } from '../db/index.ts';
import { runAll, runDue } from '../badges/grant.ts';
import { reviewRanks } from '../ranks/engine.ts';
import { sweepExpiredRateLimits } from '../security/rate-limit-store.ts';
import { sweepExpiredSessions } from '../sessions/index.ts';
import { sweepOldSignIns } from '../account/queries.ts';
import { sendReminders } from '../bookmarks/jobs.ts';
import { sweepOldDrafts } from '../drafts/queries.ts';
import type { UploadStorage } from '../uploads/storage.ts';
import { sweepUnreferencedUploads } from '../uploads/sweep.ts';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/** The app's parts a job may use besides the database and the log (server/app.ts sets them before jobs start). */
export interface JobContext {
  uploads: UploadStorage;
}

/** A job run on a schedule, in one process of however many are running. */
interface Scheduled {
  /** Cron syntax, in UTC. */
  match: string;
  /**
   * A tick missed while no process ran (a restart across it) is run at start if it is this
   * recent; one period, so that a restart costs at most one late sweep, never a pile of them.
   */
  backfill: number;
  /** `app`: what a job needs beyond the database (the uploads' storage, for their sweep). */
  run: (db: Db, log: FastifyBaseLogger, now: () => Date, app?: JobContext) => Promise<unknown>;
}

/**
 * The scheduled jobs, by task name. A sweep logs its own failure and is done: the next tick tries
 * again, so a failed sweep is not retried in between.
 */
export const scheduled: Record<string, Scheduled> = {
  sessions_sweep: { match: '0 * * * *', backfill: HOUR, run: sweepExpiredSessions },
  rate_limits_sweep: { match: '*/10 * * * *', backfill: HOUR / 6, run: sweepExpiredRateLimits },
  // Sign-ins older than the account page's record keeps (server/account/queries.ts).
  sign_ins_sweep: { match: '40 3 * * *', backfill: 24 * HOUR, run: sweepOldSignIns },
  // Bookmarks' reminders whose time has come, each notified once (server/bookmarks/queries.ts).
  bookmark_reminders: { match: '* * * * *', backfill: MINUTE, run: sendReminders },
  // Drafts nobody has touched for weeks (server/drafts/rules.ts, DRAFT_KEEP_DAYS).
  drafts_sweep: { match: '41 4 * * *', backfill: 24 * HOUR, run: sweepOldDrafts },
  // Uploads no post holds a grace period after they were made (server/uploads/sweep.ts), from the
  // storage and the database. Run with the app's storage: a test passes its app.
  uploads_sweep: {
    match: '23 * * * *',
    backfill: HOUR,
    run: (db, log, now, app) => {
      if (!app) throw new Error('uploads_sweep: run without the app, whose storage holds the uploads');
      return sweepUnreferencedUploads(db, app.uploads, log, now);
    },
  },
  // Members whose facts moved (badge_due, marked by triggers): their badges and their rank, a
  // batch at a time, so a member is promoted within a minute of what earns it.
  badges_due: {
    match: '* * * * *',
    backfill: MINUTE,
    run: (db, log, now) => runDue(db, log, now, async (on, members) => void (await reviewRanks(on, members, now(), log))),
  },
  // Everyone, once a day at a quiet hour: ranks first (an Advocate below the bar after the grace
  // period drops; the Ambassador badge reads the rank), then every badge — streaks and
  // anniversaries, which time alone earns, and whatever a due run missed. A day's backfill so
  // that a restart at that hour does not skip a day.
  recognition_daily: {
    match: '17 3 * * *',
    backfill: 24 * HOUR,
    run: async (db, log, now) => {
      const ranks = await reviewRanks(db, 'all', now(), log);
      log.info(ranks, 'ranks: the daily review is done');
      await runAll(db, log, now);
    },
  },
};

// graphile-worker's levels as pino's; its routine lines (a job done, a worker started) are info.
const LEVELS = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' } as const;

/** graphile-worker's messages go to the app's log, with the worker, task and job they are about. */
function workerLogger(log: FastifyBaseLogger) {
  return new Logger((scope) => (level: LogLevel, message: string, meta?: Record<string, unknown>) => {
    const err = meta?.error;
    log[LEVELS[level] ?? 'info']({ jobs: scope, ...(err ? { err } : {}) }, `jobs: ${message}`);
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's job runner; null when jobs are off here (HEARTH_JOBS=0, or a test). */
    jobs: Runner | null;
  }
}

export const jobs = fp(
  async (app, opts: { url: string; on: boolean }) => {
    if (!opts.on) {
      app.decorate('jobs', null);
      return;
    }
    const taskList: TaskList = {};
    const items: CronItem[] = [];
    for (const [task, job] of Object.entries(scheduled)) {
      taskList[task] = async () => {
        await job.run(app.db, app.log, app.now, app);
      };
      items.push({ task, match: job.match, identifier: task, options: { backfillPeriod: job.backfill, maxAttempts: 1 } });
    }
    const events: WorkerEvents = new EventEmitter();
    // Once this process's schedule is known to the database (and a missed tick queued), the app is up.
    const cronStarted = new Promise<void>((resolve) => events.once('cron:started', () => resolve()));
    // The runner's pool is the app's to end: graphile-worker ends a pool it made without waiting
    // for it and drops its error handler first, so a connection still closing when the database
    // went away (a test's database dropped after the app closed) would throw with no one to catch
    // it. One job at a time: one connection listens for new jobs, one takes them, one to spare.
    const pool = new pg.Pool({ connectionString: opts.url, max: 3 });
    pool.on('error', (err) => app.log.error({ err }, 'jobs: an idle connection of the job runner failed'));
    // A taken connection that fails says so in the log; its next query raises the error to the runner.
    pool.on('connect', (client) => client.on('error', (err) => app.log.error({ err }, 'jobs: a connection of the job runner failed')));
    const started = run({
      pgPool: pool,
      concurrency: 1,
      taskList,
      parsedCronItems: parseCronItems(items),
      logger: workerLogger(app.log),
      events,
      // main.ts handles the signals: it closes the app, and onClose stops the runner.
      noHandleSignals: true,
    });
    // A runner that cannot start (the database refusing it) leaves no pool behind.
    const runner = await started.catch(async (err: unknown) => {
      await pool.end();
      throw err;
    });
    // A runner that dies (its database gone for good) says so in the log; the app keeps serving.
    runner.promise.catch((err) => app.log.error({ err }, 'jobs: the job runner stopped; no background jobs run in this process until it restarts'));
    await Promise.race([cronStarted, runner.promise]);
    app.decorate('jobs', runner);
    // Waits for a running job to finish (graphile-worker aborts it after 5 s), then ends the pool.
    app.addHook('onClose', async () => {
      await runner.stop();
      await pool.end();
    });
  },
  { name: 'jobs', dependencies: ['database'] },
);

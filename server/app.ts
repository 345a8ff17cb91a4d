// Builds the app from a Config: no listening, no globals, so tests can build many.
// This file is the table of contents: every plugin, in order, grouped by feature (the README's
// "Layout of the code" maps the folders and the layers they sit in).
import compress from '@fastify/compress';
import Fastify, { LogController, type FastifyPluginAsync, type RouteOptions } from 'fastify';
// Below the features: configuration, the database, the caches and the bus that keeps them
// fresh, sessions, security headers and CSRF, views; health checks; the rules every post meets.
import { defaultTrustProxy, trustProxyOption, type Config } from './config.ts';
import { database } from './db/index.ts';
import { jobs } from './jobs/index.ts';
import { ChangeBus, type Retry } from './cache/change-bus.ts';
import { Caches, type CacheSwitches } from './cache/index.ts';
import { SESSION_COOKIE, sessions } from './sessions/index.ts';
import { security } from './security/index.ts';
import { serveCachedPage, staticFiles, views } from './views/index.ts';
import { benchRoutes, health } from './health/routes.ts';
import { PostingRules } from './moderation/posting/posting-rules.ts';
import { Site } from './site/site.ts';
import { storageFor, type UploadStorage } from './uploads/storage.ts';
// Reading and writing: the home page, threads and staff's thread actions, posts, polls, votes and accepted answers.
import { home } from './home/routes.ts';
import { ViewCounter } from './threads/read-state.ts';
import { threads } from './threads/routes.ts';
import { threadStaff } from './threads/staff/routes.ts';
import { posts } from './posts/routes.ts';
import { polls } from './polls/routes.ts';
import { qa } from './qa/routes.ts';
import { uploads } from './uploads/routes.ts';
// Finding: search, feeds and the sitemap.
import { search } from './search/routes.ts';
import { feeds } from './feeds/routes.ts';
// Members: notifications and watches, accounts, the leaderboard.
import { notifications } from './notifications/routes.ts';
import { bookmarks } from './bookmarks/routes.ts';
import { accounts } from './accounts/routes.ts';
import { account } from './account/routes.ts';
import { productionCost, testCost, type PasswordCost } from './accounts/passwords.ts';
import { leaderboard } from './leaderboard/routes.ts';
import { nominations } from './nominations/routes.ts';
import { MemberDays } from './ranks/member-days.ts';
import { ranks } from './ranks/routes.ts';
import { badgePages } from './badges/routes.ts';
// Moderation: flags, the review queue, the staff log, sanctions and appeals.
import { flags } from './moderation/flags/routes.ts';
import { queue } from './moderation/queue/routes.ts';
import { staffLog } from './moderation/log/routes.ts';
import { sanctions } from './moderation/sanctions/routes.ts';
// Administration: members and categories, the moderation settings, watched words.
import { admin } from './admin/routes.ts';
import { adminCategories } from './admin/categories.ts';
import { invitePages } from './invites/routes.ts';
import { adminMembers, ownData } from './members/routes.ts';
import { moderationSettings } from './moderation/settings/routes.ts';
import { watchedWordPages } from './moderation/posting/routes.ts';
import { siteBanner } from './site/routes.ts';

export interface AppConfig extends Pick<Config, 'nodeEnv' | 'baseUrl' | 'sessionSecret' | 'logger' | 'limits'> {
  /** Whether this process runs background jobs (server/jobs); true unless set false (tests do). */
  jobs?: boolean;
  /** Absent: what TRUST_PROXY defaults to for this base URL. */
  trustProxy?: Config['trustProxy'];
  benchRoutes?: boolean;
  /** A resolved connection URL (main.ts starts the embedded database when there is none). */
  databaseUrl: string;
  poolSize?: number;
  passwordCost?: PasswordCost;
  /** Which caches keep anything, each true unless set false; see server/cache/index.ts. */
  cache?: Partial<CacheSwitches>;
  /** false: every cache off, unless `cache` turns one on (what tests compare cached pages with). */
  pageCache?: boolean;
  /** How soon the change bus listens again after losing its connection (tests slow it down). */
  changeBusRetry?: Retry;
  /** The clock moderation rules read (sanction ends, slow mode, closing times); tests move it. */
  now?: () => Date;
  /** More feature plugins, registered with the pages (sessions, CSRF, views apply to them). */
  plugins?: FastifyPluginAsync[];
  /** Where uploads are kept; absent: a temporary folder of this app's own (tests). */
  uploads?: Config['uploads'];
  /** Told of every route as it is registered (the route × role table collects them). */
  onRoute?: (route: RouteOptions) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    threadViews: ViewCounter;
    /** Members' visits and reading, counted for their ranks (server/ranks/member-days.ts). */
    memberDays: MemberDays;
    /** The process's caches (server/cache/index.ts); null when every one is off. */
    pageCache: Caches | null;
    now: () => Date;
    postingRules: PostingRules;
    /** The site's name, logo, guidelines and banner, kept in memory (server/site/site.ts). */
    site: Site;
    /** Where uploads' bytes are kept (server/uploads/storage.ts): disk or an S3 bucket. */
    uploads: UploadStorage;
  }
}

export async function buildApp(config: AppConfig) {
  const https = config.baseUrl.startsWith('https:');
  const app = Fastify({
    logger: config.logger,
    // Which X-Forwarded-For addresses are believed, so that sign-in limits count clients.
    trustProxy: trustProxyOption(config.trustProxy ?? defaultTrustProxy(config.baseUrl)),
    genReqId: () => crypto.randomUUID().slice(0, 8),
    routerOptions: { ignoreTrailingSlash: true },
    // A log line per request costs more than a cached page; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  if (config.onRoute) app.addHook('onRoute', config.onRoute);
  const passwordCost = config.passwordCost ?? (config.nodeEnv === 'test' ? testCost : productionCost);

  await app.register(database, { url: config.databaseUrl, poolSize: config.poolSize });
  // Before the jobs: the uploads sweep removes bytes from it.
  const uploadStorage = await storageFor(config.uploads);
  app.decorate('uploads', uploadStorage.storage);
  app.addHook('onClose', async () => uploadStorage.close());
  // The sweeps and other background work, shared by every process on this database.
  await app.register(jobs, { url: config.databaseUrl, on: config.jobs !== false });
  app.decorate('now', config.now ?? (() => new Date()));
  const threadViews = new ViewCounter(app.db, app.log);
  app.decorate('threadViews', threadViews);
  // Before the pool closes: the last views counted are written.
  app.addHook('preClose', async () => threadViews.close());
  const memberDays = new MemberDays(app.db, app.log, app.now);
  app.decorate('memberDays', memberDays);
  app.addHook('preClose', async () => memberDays.close());
  const stores = cacheSwitches(config);
  // The bus runs while any store keeps anything: it is what tells them their copies are old.
  const bus = Object.values(stores).some(Boolean) ? new ChangeBus(config.databaseUrl, app.log, config.changeBusRetry) : null;
  await bus?.start();
  app.addHook('preClose', async () => bus?.close());
  const pageCache = bus && new Caches(bus, stores);
  app.decorate('pageCache', pageCache);
  app.decorate('postingRules', new PostingRules(app.db, pageCache?.settings ?? null));
  app.decorate('site', new Site(app.db, pageCache?.settings ?? null));
  // Compression for everything above 1 KB (brotli at a quality that costs little CPU); it must
  // come before the static files to cover them.
  await app.register(compress, { threshold: 1024 });
  // Outside the site's context: static files and health checks cost no session lookup.
  await app.register(staticFiles, { prefix: '/static' });
  await app.register(health);
  if (config.benchRoutes) await app.register(benchRoutes);

  await app.register(async (site) => {
    await site.register(sessions, {
      secret: config.sessionSecret,
      https,
      beforeSession: pageCache && stores.guestPages ? serveCachedPage(pageCache, SESSION_COOKIE, app.now) : undefined,
    });
    await site.register(security, { https, secret: config.sessionSecret });
    await site.register(views, {
      site: () => app.site.get(),
      now: app.now,
      baseUrl: config.baseUrl,
      cache: config.nodeEnv !== 'development',
      https,
      pageCache: pageCache ?? undefined,
    });
    // Any page a signed-in member asks for counts the day as visited (in memory, written in batches).
    site.addHook('preHandler', (req, _reply, done) => {
      if (req.viewer) memberDays.visit(req.viewer.id, app.now());
      done();
    });

    // Reading and writing.
    await site.register(home);
    await site.register(threads, { views: threadViews, days: memberDays });
    await site.register(threadStaff);
    await site.register(posts);
    await site.register(polls);
    await site.register(qa);
    await site.register(uploads, { storage: app.uploads });
    // Finding.
    await site.register(search);
    await site.register(feeds, { baseUrl: config.baseUrl, siteName: 'Hearth' });
    // Members.
    await site.register(notifications);
    await site.register(bookmarks);
    await site.register(accounts, { passwordCost, limits: config.limits });
    // The member's own settings page (/account): password, sessions, sign-ins.
    await site.register(account, { passwordCost, limits: config.limits });
    // The member's own data: downloading it, and deleting the account (server/members).
    await site.register(ownData, { limits: config.limits });
    await site.register(leaderboard);
    await site.register(nominations);
    await site.register(ranks);
    await site.register(badgePages);
    // Moderation.
    await site.register(flags);
    await site.register(queue, { prefix: '/mod' });
    await site.register(staffLog, { prefix: '/mod/log' });
    await site.register(sanctions);
    // Administration.
    await site.register(admin, { prefix: '/admin' });
    await site.register(adminCategories, { prefix: '/admin' });
    await site.register(invitePages, { baseUrl: config.baseUrl });
    await site.register(adminMembers, { prefix: '/admin' });
    await site.register(moderationSettings, { prefix: '/admin' });
    await site.register(watchedWordPages, { prefix: '/admin' });
    // The site banner: published by staff, dismissed by each reader.
    await site.register(siteBanner);
    for (const plugin of config.plugins ?? []) await site.register(plugin);
  });
  return app;
}

function cacheSwitches(config: AppConfig): CacheSwitches {
  const on = config.pageCache !== false;
  const { guestPages = on, memberPages = on, sessions = on, settings = on } = config.cache ?? {};
  return { guestPages, memberPages, sessions, settings };
}

// Pages, fragments, static files, flash messages and the one error handler.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import { viewerFlags } from '../permissions.ts';
import { CSRF_COOKIE } from '../security/index.ts';
import { helpers } from './helpers/index.ts';
import { memberPart } from './member-parts.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { encodedBody, etagOf, guestCopy, TOKEN_SLOT, type GuestPage } from '../cache/guest-pages.ts';
import type { Caches } from '../cache/index.ts';
import type { Snapshot } from '../cache/kept.ts';
import { guestDismissed, guestPageKey } from '../site/banner.ts';
import { bannerInForce, type SiteFacts } from '../site/site.ts';
import { defaultSettings } from '../moderation/settings/queries.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const viewsDir = path.join(root, 'views');
const staticDir = path.join(root, 'static');
const htmxDir = path.join(root, 'node_modules/htmx.org/dist');

export const FLASH_COOKIE = 'hearth_flash';

/** The headers a cached page is sent with again (security headers, caching); not its cookies. */
function keptHeaders(reply: FastifyReply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (name === 'set-cookie' || name === 'content-length' || name === 'content-type' || value === undefined) continue;
    kept[name] = String(value);
  }
  return kept;
}

/** A kept page's own headers: guests' browsers check it again each time, by its ETag. */
function guestHeaders(etag: string) {
  return { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding, Cookie' };
}

/** Sends a guest the kept page: 304 when their copy is current, otherwise compressed as they accept. */
function sendKept(req: FastifyRequest, reply: FastifyReply, entry: GuestPage) {
  reply.headers(entry.headers);
  if (req.headers['if-none-match'] === entry.etag) return reply.code(304).send();
  const { body, encoding } = encodedBody(entry, req.headers['accept-encoding']);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.type('text/html; charset=utf-8').send(body);
}

/**
 * Serves a guest's cached page before the session and security layers run (an onRequest hook
 * placed after the cookies are read and before the session is): a hit needs no session, and its
 * security headers were kept with the page. Anything else — a signed-in member (a session
 * cookie), a message waiting, an htmx request, a page not kept — goes on the usual way.
 */
export function serveCachedPage(pageCache: Caches, sessionCookie: string, now: () => Date) {
  return async function cachedPageHook(req: FastifyRequest, reply: FastifyReply) {
    if (req.method !== 'GET' || req.headers['hx-request'] !== undefined) return;
    if (req.cookies[sessionCookie] !== undefined || req.cookies[FLASH_COOKIE] !== undefined) return;
    const entry = pageCache.guestPages.lookup(guestPageKey(req), now());
    if (!entry) return;
    entry.onHit?.(req);
    return sendKept(req, reply, entry);
  };
}
export type FlashKind = 'notice' | 'error';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders views/pages/<template>.hbs inside the layout. */
    page(template: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>;
    /** The same page as text, not sent; `data` may override the layout's values (viewer, csrfToken). */
    render(template: string, data?: Record<string, unknown>): Promise<string>;
    /** Renders views/partials/<partial>.hbs alone (an htmx fragment). */
    fragment(partial: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>;
    /**
     * Serves a guest the cached copy of this page, or runs `handler` and keeps the page it
     * renders; `scopes` are what the page shows (thread:<id>, category:<id>, home).
     */
    cached(scopes: string[], handler: () => Promise<FastifyReply>, onHit?: (req: FastifyRequest) => void): Promise<FastifyReply>;
    /**
     * More scopes the page being kept shows, learnt while it was read (the authors of a thread's
     * posts); nothing when no page is being kept.
     */
    dependsOn(scopes: string[]): FastifyReply;
    /** The CSRF token for this browser and member (server/security). */
    csrfToken(): string;
    /** A message shown once on the next page this browser renders. */
    flash(kind: FlashKind, text: string): FastifyReply;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** Partials by name: views/partials/accounts/field.hbs is {{> accounts/field}}. */
function partialMap(): Record<string, string> {
  const partialsDir = path.join(viewsDir, 'partials');
  return Object.fromEntries(
    walk(partialsDir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [path.relative(partialsDir, f).replace(/\.hbs$/, ''), path.relative(viewsDir, f)]),
  );
}

/** A short hash of the static files, so they can be cached for a year and still change. */
function assetVersion(): string {
  const hash = createHash('sha256');
  for (const f of walk(staticDir).sort()) hash.update(readFileSync(f));
  hash.update(readFileSync(path.join(htmxDir, 'htmx.min.js')));
  return hash.digest('hex').slice(0, 10);
}

function readFlash(req: FastifyRequest, reply: FastifyReply) {
  const raw = req.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const { kind, text } = JSON.parse(unsigned.value);
    return { kind: kind === 'error' ? 'error' : 'notice', text: String(text) };
  } catch (err) {
    // Signed with our secret yet not a message of ours: worth knowing, not worth the page.
    req.log.warn({ err }, 'flash: a signed message cookie did not hold a message; dropped');
    return null;
  }
}

/**
 * Our files and htmx.min.js, cached for a year (their URLs carry a version). Registered under
 * /static outside the site's context (server/app.ts), so a stylesheet costs no session lookup.
 */
export const staticFiles: FastifyPluginAsync = async (files) => {
  await files.register(fastifyStatic, { root: staticDir, prefix: '/', maxAge: '365d', immutable: true, index: false });
  await files.register(fastifyStatic, {
    root: htmxDir,
    prefix: '/vendor/',
    decorateReply: false,
    maxAge: '365d',
    immutable: true,
    allowedPath: (p) => p === '/htmx.min.js',
  });
  // A missing file is a plain 404: the site's pages and their layout live in the other context.
  files.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain').send('Not found'));
};

export const views = fp(
  async (
    app,
    opts: {
      baseUrl: string; cache: boolean; https: boolean; pageCache?: Caches;
      /** The site's name, logo and banner (server/site/site.ts), kept in memory by each process. */
      site: () => Promise<SiteFacts>;
      /** The app's clock: when a banner has ended. */
      now: () => Date;
    },
  ) => {
    const pageCache = opts.pageCache;
    /**
     * Set while a cacheable guest page is being rendered: where to keep it, what it was read
     * after, and until when it is right whatever is announced (the end of the banner it shows).
     */
    const capture = Symbol('capture');
    type Capturing = { [capture]?: { key: string; snapshot: Snapshot; onHit?: (req: FastifyRequest) => void; until?: number } };
    // A token stays good for its secret and member, so one is made per browser and member, not
    // per page: two HMACs and random bytes saved on every page (tokens by secret cookie and member).
    const tokens = new Map<string, string>();
    const csrfToken = (reply: FastifyReply) => {
      const userInfo = String(reply.request.session?.userId ?? 'guest');
      const secret = reply.request.cookies[CSRF_COOKIE];
      const key = secret && `${userInfo}:${secret}`;
      const known = key ? tokens.get(key) : undefined;
      if (known) return known;
      const token = reply.generateCsrf({ userInfo });
      if (key) {
        if (tokens.size >= 10_000) tokens.delete(tokens.keys().next().value!);
        tokens.set(key, token);
      }
      return token;
    };
    app.decorateReply('csrfToken', function (this: FastifyReply) {
      return csrfToken(this);
    });
    const hbs = Handlebars.create();
    for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
    hbs.registerHelper('memberPart', memberPart);
    const version = assetVersion();

    await app.register(fastifyView, {
      engine: { handlebars: hbs },
      root: viewsDir,
      production: opts.cache,
      // preventIndent: an indented {{> partial}} must not indent multi-line values (a textarea's
      // text would gain spaces on every line).
      options: { partials: partialMap(), compileOptions: { preventIndent: true } },
    });

    /**
     * What the layout shows of the site: its name and logo, and the banner unless this reader
     * dismissed it (a member on their row, a guest in a cookie). A guest's kept page is filed
     * under the banner they dismissed (guestPageKey), so it never serves another guest; a plain
     * member's shared thread page draws the banner both ways and picks per member
     * (server/views/member-parts.ts). A kept page showing a banner with an end is kept no longer.
     */
    async function siteContext(req: FastifyRequest, reply: FastifyReply) {
      let site: Pick<SiteFacts, 'name' | 'description' | 'logoUrl' | 'registrationMode' | 'banner'>;
      try {
        site = await opts.site();
      } catch (err) {
        // A page (an error page, while the database is away) is still drawn: with the default name, no banner.
        req.log.error({ err }, 'site: could not read the site settings and banner; the page is drawn with the defaults');
        // Nor is such a page kept for guests (the token, taken after this, is then the real one).
        delete (reply as Capturing)[capture];
        site = { name: defaultSettings.site_name, description: '', logoUrl: '', registrationMode: defaultSettings.registration_mode, banner: null };
      }
      const banner = bannerInForce(site.banner, opts.now());
      const dismissed = banner !== null && (req.viewer ? req.viewer.dismissedBanner === banner.id : guestDismissed(req) === banner.id);
      const capturing = (reply as Capturing)[capture];
      if (capturing && banner?.endsAt && !dismissed) capturing.until = banner.endsAt.getTime();
      return {
        siteName: site.name,
        siteDescription: site.description,
        logoUrl: site.logoUrl,
        registrationClosed: site.registrationMode === 'closed',
        banner,
        showBanner: banner !== null && !dismissed,
        // Where dismissing brings a reader without JavaScript back to: this page, when it can be asked for again.
        bannerReturnTo: req.method === 'GET' ? req.url : '/',
      };
    }

    function layoutContext(req: FastifyRequest, reply: FastifyReply) {
      return {
        assetVersion: version,
        viewer: req.viewer,
        ...viewerFlags(req.viewer),
        csrfToken: (reply as Capturing)[capture] ? TOKEN_SLOT : csrfToken(reply),
        flash: readFlash(req, reply),
        path: req.url,
      };
    }

    /** A page inside the layout, as text; `data` may override the layout's values (viewer, token). */
    async function render(reply: FastifyReply, template: string, data: Record<string, unknown>) {
      // A page that names its `canonical` path gets an absolute <link rel="canonical">.
      const canonicalUrl = typeof data.canonical === 'string' ? opts.baseUrl + data.canonical : undefined;
      const site = await siteContext(reply.request, reply);
      return reply.viewAsync(`pages/${template}.hbs`, { ...site, ...layoutContext(reply.request, reply), canonicalUrl, ...data }, { layout: 'layouts/main.hbs' });
    }

    app.decorateReply('render', function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      return render(this, template, data);
    });

    app.decorateReply('page', async function (this: FastifyReply, template: string, data = {}, status = 200) {
      let html = await render(this, template, data);
      const capturing = (this as Capturing)[capture];
      if (capturing) {
        delete (this as Capturing)[capture];
        // The same bytes for every guest, unless the token landed in a form (then not kept).
        const copy = status === 200 ? guestCopy(html) : undefined;
        if (copy !== undefined) {
          const body = Buffer.from(copy);
          const etag = etagOf(body);
          this.headers(guestHeaders(etag));
          pageCache!.guestPages.keep(capturing.key, body, capturing.snapshot, { headers: keptHeaders(this), etag, onHit: capturing.onHit, until: capturing.until });
          return this.code(status).type('text/html; charset=utf-8').send(body);
        }
        html = html.replaceAll(TOKEN_SLOT, csrfToken(this));
      }
      return this.code(status).type('text/html; charset=utf-8').send(html);
    });

    // Guests (no session, no message waiting) share rendered pages; see server/cache/guest-pages.ts.
    app.decorateReply('cached', async function (
      this: FastifyReply,
      scopes: string[],
      handler: () => Promise<FastifyReply>,
      onHit?: (req: FastifyRequest) => void,
    ) {
      const req = this.request;
      if (!pageCache || req.viewer || req.cookies[FLASH_COOKIE] || req.method !== 'GET') return handler();
      const key = guestPageKey(req);
      const hit = pageCache.guestPages.lookup(key, opts.now());
      if (hit !== undefined) {
        onHit?.(req);
        return sendKept(req, this, hit);
      }
      // Versions are taken before the handler reads: a write landing meanwhile makes this copy old at once.
      (this as Capturing)[capture] = { key, snapshot: pageCache.guestPages.snapshot(scopes), onHit };
      return handler();
    });

    // Scopes learnt during the read join the snapshot taken before it: a change meanwhile still counts.
    app.decorateReply('dependsOn', function (this: FastifyReply, scopes: string[]) {
      const capturing = (this as Capturing)[capture];
      if (capturing) capturing.snapshot = { mark: capturing.snapshot.mark, scopes: [...capturing.snapshot.scopes, ...scopes] };
      return this;
    });

    // An answer for a signed-in member, or one that sets a cookie (a session, a CSRF secret, a
    // message), belongs to one browser: no cache on the way may keep it or hand it to another.
    // The session is asked too, as a request refused early is answered before `viewer` is set.
    // Guests' kept pages set no cookie, and keep their own `no-cache` with an ETag (guestHeaders).
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.viewer || req.session?.userId || reply.hasHeader('set-cookie')) reply.header('cache-control', 'private, no-store');
      return payload;
    });

    // A request that wrote answers only once its own change announcements are back, so the
    // page it leads to is never an old copy (see Caches.sync).
    if (pageCache) {
      app.addHook('onSend', async (req, reply, payload) => {
        if (req.method !== 'GET' && req.method !== 'HEAD' && reply.statusCode < 400) await pageCache.sync();
        return payload;
      });
    }

    app.decorateReply('fragment', async function (this: FastifyReply, partial: string, data = {}, status = 200) {
      const html = await this.viewAsync(`partials/${partial}.hbs`, {
        viewer: this.request.viewer,
        csrfToken: csrfToken(this),
        ...viewerFlags(this.request.viewer),
        ...data,
      });
      return this.code(status).type('text/html; charset=utf-8').send(html);
    });

    app.decorateReply('flash', function (this: FastifyReply, kind: FlashKind, text: string) {
      return this.setCookie(FLASH_COOKIE, JSON.stringify({ kind, text }), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        secure: opts.https,
        maxAge: 60,
      });
    });

    app.setNotFoundHandler(notFoundHandler);
    app.setErrorHandler(errorHandler);
  },
  { name: 'views', dependencies: ['sessions', 'security'] },
);

/**
 * The answer to a successful action: the fragment for an htmx request, otherwise a 303
 * redirect to the page that shows the result (so every action works with JavaScript off).
 */
export async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { redirect: string; fragment?: string; data?: Record<string, unknown>; flash?: string },
) {
  reply.header('Vary', 'HX-Request');
  if (opts.fragment && req.headers['hx-request'] === 'true') return reply.fragment(opts.fragment, opts.data);
  if (opts.flash) reply.flash('notice', opts.flash);
  return reply.redirect(opts.redirect, 303);
}

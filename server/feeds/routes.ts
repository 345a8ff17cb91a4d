// RSS feeds of the latest threads (the community's and a category's) and the sitemap, with
// absolute addresses built from BASE_URL: feed readers and crawlers never see the page they
// came from.
//
// `/c/:slug.rss` and the category page `/c/:slug` live side by side: find-my-way gives a
// parameter followed by a static suffix its own node and tries it first, so "/c/help.rss"
// reaches the feed and "/c/help" the page (test/feeds/feeds.test.ts checks both).
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { notFound } from '../errors.ts';
import { excerpt } from '../text/cook.ts';
import { text } from '../schemas.ts';
import { canReadCategory } from '../permissions.ts';
import { categoryBySlug } from '../threads/queries.ts';
import { threadUrl } from '../addresses.ts';
import { feedThreads, sitemapCategories, sitemapThreads } from './queries.ts';
import { FEED_SIZE, rss, SITEMAP_MAX, sitemapEnd, sitemapEntry, sitemapStart, type FeedItem } from './rules.ts';

const slugParams = { type: 'object', properties: { slug: text(100) }, required: ['slug'] } as const;

function sendXml(reply: FastifyReply, type: string, body: string, maxAge: number) {
  return reply.type(`${type}; charset=utf-8`).header('Cache-Control', `public, max-age=${maxAge}`).send(body);
}

export const feeds: FastifyPluginAsyncJsonSchemaToTs<{ Options: { baseUrl: string; siteName: string } }> = async (app, opts) => {
  const absolute = (path: string) => opts.baseUrl + path;

  function items(rows: Awaited<ReturnType<typeof feedThreads>>): FeedItem[] {
    return rows.map((t) => ({
      title: t.title,
      link: absolute(threadUrl(t)),
      guid: absolute(`/t/${t.id}`),
      published: t.created_at,
      author: t.username,
      category: t.category_name,
      description: t.cooked ? excerpt(t.cooked, 500) : '',
    }));
  }

  app.get('/latest.rss', async (_req, reply) => {
    const rows = await feedThreads(app.db, FEED_SIZE);
    const body = rss({
      title: `${opts.siteName}: latest threads`,
      link: absolute('/'),
      self: absolute('/latest.rss'),
      description: `The latest threads on ${opts.siteName}.`,
      updated: rows[0]?.last_post_at ?? null,
      items: items(rows),
    });
    return sendXml(reply, 'application/rss+xml', body, 300);
  });

  app.get('/c/:slug.rss', { schema: { params: slugParams } }, async (req, reply) => {
    const category = await categoryBySlug(app.db, req.params.slug);
    // Feed readers carry no session: a category closed to guests has no feed.
    if (!category || !canReadCategory(null, category)) throw notFound('That category');
    const rows = await feedThreads(app.db, FEED_SIZE, category.id);
    const body = rss({
      title: `${opts.siteName}: ${category.name}`,
      link: absolute(`/c/${category.slug}`),
      self: absolute(`/c/${category.slug}.rss`),
      description: category.description || `The latest threads in ${category.name} on ${opts.siteName}.`,
      updated: rows[0]?.last_post_at ?? null,
      items: items(rows),
    });
    return sendXml(reply, 'application/rss+xml', body, 300);
  });

  app.get('/sitemap.xml', async (_req, reply) => {
    const cats = await sitemapCategories(app.db);
    const threadEntries: string[] = [];
    let newest: Date | null = null;
    // The file holds at most SITEMAP_MAX addresses, the home page and the categories included.
    for await (const batch of sitemapThreads(app.db, SITEMAP_MAX - 1 - cats.length)) {
      newest ??= batch[0].last_post_at;
      for (const t of batch) threadEntries.push(sitemapEntry({ loc: absolute(threadUrl(t)), lastmod: t.last_post_at }));
    }
    const body = [
      sitemapStart,
      sitemapEntry({ loc: absolute('/'), lastmod: newest }),
      ...cats.map((c) => sitemapEntry({ loc: absolute(`/c/${c.slug}`), lastmod: c.last_post_at })),
      threadEntries.join(''),
      sitemapEnd,
    ].join('');
    return sendXml(reply, 'application/xml', body, 3600);
  });
};

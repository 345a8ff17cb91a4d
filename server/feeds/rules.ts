// Pure rules of the feeds and the sitemap: XML text built from member text, escaped here.

/** Feeds list this many threads; a reader polls, so older ones are already known. */
export const FEED_SIZE = 30;
/** A sitemap file holds at most 50,000 addresses (sitemaps.org). */
export const SITEMAP_MAX = 50_000;

// Characters XML 1.0 cannot carry even escaped (most control characters, lone surrogates,
// U+FFFE/U+FFFF): a member can type them, and one would make the whole feed unreadable.
const notXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an XML element or a quoted attribute. */
export function xmlText(value: string): string {
  return value.replace(notXml, '').replace(/[&<>"']/g, (c) => xmlEntities[c]);
}

export interface FeedItem {
  title: string;
  link: string;
  /** Stays the same when the title (and with it the link's slug) changes. */
  guid: string;
  published: Date;
  author: string;
  category: string;
  description: string;
}

export interface Feed {
  title: string;
  /** The page the feed follows. */
  link: string;
  /** The feed's own address. */
  self: string;
  description: string;
  /** The last activity among the items (their order follows activity, not publication). */
  updated: Date | null;
  items: FeedItem[];
}

const element = (name: string, value: string) => `<${name}>${xmlText(value)}</${name}>`;

/** An RSS 2.0 document; dates in RFC 822 form as RSS requires (toUTCString gives it). */
export function rss(feed: Feed): string {
  const items = feed.items.map((i) =>
    [
      '<item>',
      element('title', i.title),
      element('link', i.link),
      `<guid isPermaLink="true">${xmlText(i.guid)}</guid>`,
      element('pubDate', i.published.toUTCString()),
      element('dc:creator', i.author),
      element('category', i.category),
      element('description', i.description),
      '</item>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    element('title', feed.title),
    element('link', feed.link),
    `<atom:link href="${xmlText(feed.self)}" rel="self" type="application/rss+xml"/>`,
    element('description', feed.description),
    feed.updated ? element('lastBuildDate', feed.updated.toUTCString()) : '',
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}

export interface SitemapEntry {
  loc: string;
  lastmod?: Date | null;
}

export function sitemapEntry(e: SitemapEntry): string {
  return `<url><loc>${xmlText(e.loc)}</loc>${e.lastmod ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : ''}</url>\n`;
}

export const sitemapStart = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
export const sitemapEnd = '</urlset>\n';

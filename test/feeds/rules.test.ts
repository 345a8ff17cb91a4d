import t from 'tap';
import { rss, sitemapEntry, xmlText } from '../../server/feeds/rules.ts';

t.test('xmlText escapes markup and drops what XML cannot carry', async (t) => {
  const cases: [string, string][] = [
    ['Tom & Jerry', 'Tom &amp; Jerry'],
    ['<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    ["it's", 'it&apos;s'],
    ['&amp;', '&amp;amp;'],
    ['tab\tnew\nline\r', 'tab\tnew\nline\r'],
    ['bell\u0007 nul\u0000 esc\u001b', 'bell nul esc'],
    ['\uFFFE\uFFFF\uD800 lone', ' lone'],
    ['emoji 🔥 and é', 'emoji 🔥 and é'],
  ];
  for (const [raw, xml] of cases) t.equal(xmlText(raw), xml, JSON.stringify(raw));
});

t.test('rss and sitemap entries', async (t) => {
  const feed = rss({ title: 'A & B', link: 'https://x.test/', self: 'https://x.test/latest.rss?a=1&b=2', description: '', updated: null, items: [] });
  t.match(feed, '<title>A &amp; B</title>');
  t.match(feed, 'href="https://x.test/latest.rss?a=1&amp;b=2"');
  t.notMatch(feed, 'lastBuildDate', 'no items, no build date');
  t.equal(
    sitemapEntry({ loc: 'https://x.test/t/1/a', lastmod: new Date('2026-01-02T03:04:05Z') }),
    '<url><loc>https://x.test/t/1/a</loc><lastmod>2026-01-02T03:04:05.000Z</lastmod></url>\n',
  );
  t.equal(sitemapEntry({ loc: 'https://x.test/' }), '<url><loc>https://x.test/</loc></url>\n');
});

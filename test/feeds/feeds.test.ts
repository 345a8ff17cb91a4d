import t from 'tap';
import { sitemapThreads } from '../../server/feeds/queries.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

const BASE = 'http://localhost:3000';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`a bare & in ${JSON.stringify(raw)}`);
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(raw)) throw new Error(`a character XML cannot carry in ${JSON.stringify(raw)}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : entities[e],
  );
}

/**
 * A strict reader for the XML we write: one root, tags closed in order, quoted attributes,
 * only the five named entities and character references. Throws on anything else.
 */
function parseXml(xml: string): XmlElement {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!decl) throw new Error('no XML declaration');
  const token = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  token.lastIndex = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (token.lastIndex < xml.length) {
    const at = token.lastIndex;
    const m = token.exec(xml);
    if (!m) throw new Error(`not XML at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    const [, close, name, attrText, selfClose, text] = m;
    if (text !== undefined) {
      if (!stack.length) {
        if (text.trim()) throw new Error(`text outside the root: ${JSON.stringify(text)}`);
        continue;
      }
      stack.at(-1)!.text += decode(text);
    } else if (close) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
    } else {
      if (root && !stack.length) throw new Error('a second root element');
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([A-Za-z_][\w:.-]*)="([^"<]*)"/g)) {
        if (a[1] in attrs) throw new Error(`attribute ${a[1]} twice`);
        attrs[a[1]] = decode(a[2]);
      }
      const el: XmlElement = { name, attrs, children: [], text: '' };
      if (stack.length) stack.at(-1)!.children.push(el);
      else root = el;
      if (!selfClose) stack.push(el);
    }
  }
  if (!root || stack.length) throw new Error('unclosed elements');
  return root;
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const textOf = (el: XmlElement, name: string) => child(el, name)?.text ?? '';

t.test('the reader above refuses what is not XML', async (t) => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  t.throws(() => parseXml(`${head}<a>Tom & Jerry</a>`));
  t.throws(() => parseXml(`${head}<a><b></a></b>`));
  t.throws(() => parseXml(`${head}<a>x</a><a>y</a>`));
  t.throws(() => parseXml(`${head}<a>\u0001</a>`));
  t.throws(() => parseXml('<a>no declaration</a>'));
  t.equal(parseXml(`${head}<a x="&quot;">&lt;b&gt; &amp; &#39;</a>`).text, "<b> & '");
});

t.test('/latest.rss: the latest threads, escaped, with absolute links; never deleted ones', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member({ username: 'writer' });
  const category = await make.category({ name: 'Tips & <Tricks>', slug: 'tips' });
  const tricky = 'Q&A: <b>bold</b> "quotes" & \'apostrophes\' \u0001';
  const thread = await createThread(db, {
    categoryId: category.id,
    userId: member.id,
    title: tricky,
    body: 'Use **bold** & <script>alert(1)</script> carefully.',
    at: new Date('2026-01-02T03:04:05Z'),
  });
  const deleted = await make.thread({ title: 'A deleted thread' });
  await db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', deleted.id).execute();

  const res = await make.guest().get('/latest.rss');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/rss\+xml; charset=utf-8/);
  t.notOk(res.headers['set-cookie'], 'a feed reader gets no cookie');
  const rss = parseXml(res.body);
  t.equal(rss.name, 'rss');
  t.equal(rss.attrs.version, '2.0');
  const channel = child(rss, 'channel')!;
  t.equal(textOf(channel, 'link'), `${BASE}/`);
  t.equal(child(channel, 'atom:link')?.attrs.href, `${BASE}/latest.rss`);
  const items = children(channel, 'item');
  t.same(items.map((i) => textOf(i, 'title')), [tricky.replace('\u0001', '')], 'the title exactly, less what XML cannot carry');
  const [item] = items;
  t.equal(textOf(item, 'link'), `${BASE}/t/${thread.id}/${thread.slug}`);
  t.equal(textOf(item, 'guid'), `${BASE}/t/${thread.id}`);
  t.equal(textOf(item, 'pubDate'), 'Fri, 02 Jan 2026 03:04:05 GMT');
  t.equal(textOf(item, 'dc:creator'), 'writer');
  t.equal(textOf(item, 'category'), 'Tips & <Tricks>');
  t.equal(textOf(item, 'description'), 'Use bold & <script>alert(1)</script> carefully.', 'plain text of the first post');
  t.notMatch(res.body, /<script>|<b>/, 'member text never as markup');
  t.notMatch(res.body, /A deleted thread/);
});

t.test('feeds list the 30 latest threads by activity; a category feed only its own', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const help = await make.category({ name: 'Help', slug: 'help' });
  const other = await make.category({ name: 'Other', slug: 'other' });
  for (let i = 0; i < 32; i++) {
    await createThread(db, { categoryId: help.id, userId: member.id, title: `Help thread ${i}`, body: 'Body', at: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  }
  const revived = await createThread(db, { categoryId: other.id, userId: member.id, title: 'Old but revived', body: 'Body', at: new Date(Date.UTC(2025, 0, 1)) });
  await createReply(db, { threadId: revived.id, userId: member.id, body: 'New reply', at: new Date(Date.UTC(2026, 5, 1)) });

  const guest = make.guest();
  const titles = async (path: string) => {
    const res = await guest.get(path);
    t.equal(res.statusCode, 200, path);
    return children(child(parseXml(res.body), 'channel')!, 'item').map((i) => textOf(i, 'title'));
  };
  const latest = await titles('/latest.rss');
  t.equal(latest.length, 30);
  t.same(latest.slice(0, 3), ['Old but revived', 'Help thread 31', 'Help thread 30']);
  const helpFeed = await titles('/c/help.rss');
  t.equal(helpFeed.length, 30);
  t.equal(helpFeed[0], 'Help thread 31');
  t.notOk(helpFeed.includes('Old but revived'));
  t.same(await titles('/c/other.rss'), ['Old but revived']);
  const channel = child(parseXml((await guest.get('/c/other.rss')).body), 'channel')!;
  t.equal(textOf(channel, 'link'), `${BASE}/c/other`);
  t.equal(child(channel, 'atom:link')?.attrs.href, `${BASE}/c/other.rss`);
  t.equal(textOf(channel, 'lastBuildDate'), 'Mon, 01 Jun 2026 00:00:00 GMT', 'the last activity');

  t.equal((await guest.get('/c/nothing-here.rss')).statusCode, 404, 'an unknown category');
  t.equal((await guest.get('/c/.rss')).statusCode, 404);
});

t.test('/c/:slug.rss and /c/:slug are different routes; pages link their feeds', async (t) => {
  const { make } = await testApp(t);
  await make.category({ name: 'Help', slug: 'help' });
  const guest = make.guest();
  const page = await guest.get('/c/help');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.equal(page.page().h1(), 'Help');
  const alternate = page.page().querySelector('link[rel=alternate][type="application/rss+xml"]');
  t.equal(alternate?.getAttribute('href'), '/c/help.rss');
  const feed = await guest.get('/c/help.rss');
  t.match(feed.headers['content-type'], /^application\/rss\+xml/);
  t.equal(child(child(parseXml(feed.body), 'channel')!, 'title')?.text, 'Hearth: Help');
  t.equal((await guest.get('/c/help.rs')).statusCode, 404, 'not a feed, not a category');
  t.equal((await guest.get('/c/help/new')).statusCode, 303, 'the new-thread form still asks to sign in');

  const home = await guest.page('/');
  t.equal(home.querySelector('link[rel=alternate][type="application/rss+xml"]')?.getAttribute('href'), '/latest.rss');
});

t.test('/sitemap.xml lists the home page, the categories and the live threads', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const help = await make.category({ name: 'Help', slug: 'help' });
  const empty = await make.category({ name: 'Empty', slug: 'empty' });
  const at = new Date('2026-02-03T04:05:06.000Z');
  const thread = await createThread(db, { categoryId: help.id, userId: member.id, title: 'Mapped & listed', body: 'Body', at });
  const deleted = await createThread(db, { categoryId: help.id, userId: member.id, title: 'Not listed', body: 'Body', at });
  await db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', deleted.id).execute();

  const res = await make.guest().get('/sitemap.xml');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/xml; charset=utf-8/);
  const urlset = parseXml(res.body);
  t.equal(urlset.name, 'urlset');
  t.equal(urlset.attrs.xmlns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
  const urls = Object.fromEntries(children(urlset, 'url').map((u) => [textOf(u, 'loc'), textOf(u, 'lastmod')]));
  t.same(urls, {
    [`${BASE}/`]: at.toISOString(),
    [`${BASE}/c/help`]: at.toISOString(),
    [`${BASE}/c/empty`]: '',
    [`${BASE}/t/${thread.id}/${thread.slug}`]: at.toISOString(),
  });
  t.ok(empty.id);
});

t.test('the sitemap reads threads in keyset batches without losing or repeating one', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const category = await make.category();
  // Equal activity times make the keyset lean on the id as well.
  const at = new Date('2026-01-01T00:00:00Z');
  const ids: number[] = [];
  for (let i = 0; i < 12; i++) ids.push((await createThread(db, { categoryId: category.id, userId: member.id, title: `Same time ${i}`, body: 'B', at })).id);
  ids.push((await createThread(db, { categoryId: category.id, userId: member.id, title: 'Earlier', body: 'B', at: new Date('2025-01-01') })).id);
  const expected = [...ids.slice(0, 12).reverse(), ids[12]];

  const read = async (max: number, batch: number) => {
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const rows of sitemapThreads(db, max, batch)) {
      sizes.push(rows.length);
      seen.push(...rows.map((r) => r.id));
    }
    return { sizes, seen };
  };
  t.same(await read(100, 5), { sizes: [5, 5, 3], seen: expected });
  t.same(await read(10, 5), { sizes: [5, 5], seen: expected.slice(0, 10) }, 'stops at the cap');
  t.same(await read(13, 13), { sizes: [13], seen: expected });
  t.same(await read(7, 4), { sizes: [4, 3], seen: expected.slice(0, 7) });
});

import { sql } from 'kysely';
import t from 'tap';
import { up as backfill } from '../../migrations/0008_search_backfill.ts';
import { createDb } from '../../server/db/index.ts';
import { searchPosts } from '../../server/search/queries.ts';
import { LT, MARK_END, MARK_START, SEARCH_CANDIDATES } from '../../server/search/rules.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';
import type { Page } from '../helpers/html.ts';
import { payloads, unsafeMarkup } from '../helpers/xss.ts';

/** The results of a search page: one entry per post, best first. */
function results(page: Page) {
  return page.querySelectorAll('.search-result').map((r) => ({
    postId: Number(r.getAttribute('data-post-id')),
    title: r.querySelector('.search-result-title')?.text.trim() ?? '',
    href: r.querySelector('.search-result-title')?.getAttribute('href') ?? '',
    snippet: r.querySelector('.search-snippet')?.text.trim() ?? '',
  }));
}

const url = (params: Record<string, string>) => `/search?${new URLSearchParams(params)}`;

t.test('finds posts by stem, phrase, exclusion and "or", each linking to its post', async (t) => {
  const { make } = await testApp(t);
  const runner = await make.thread({ title: 'Morning habits', body: 'She runs along the river before work.' });
  const phrase = await make.thread({ title: 'Themes', body: 'Please add a dark mode to the app.' });
  const apart = await make.thread({ title: 'Rooms', body: 'A dark room and a quiet mode of working.' });
  const guest = make.guest();

  const stem = results(await guest.page(url({ q: 'running' })));
  t.same(stem.map((r) => r.title), ['Morning habits'], '"running" finds "runs"');
  t.match(stem[0].href, /^\/p\/\d+$/);
  const redirect = await guest.get(stem[0].href);
  t.equal(redirect.statusCode, 303);
  t.match(redirect.headers.location, new RegExp(`^/t/${runner.id}/`));

  t.same(results(await guest.page(url({ q: '"dark mode"' }))).map((r) => r.title), ['Themes'], 'a quoted phrase, not the words apart');
  t.same(results(await guest.page(url({ q: 'dark mode' }))).map((r) => r.title).sort(), ['Rooms', 'Themes'], 'both words anywhere');
  t.same(results(await guest.page(url({ q: 'dark -room' }))).map((r) => r.title), ['Themes'], '-word leaves posts with it out');
  t.same(results(await guest.page(url({ q: 'river or quiet' }))).map((r) => r.title).sort(), ['Morning habits', 'Rooms']);
  t.equal(results(await guest.page(url({ q: 'nothingmatchesthis' }))).length, 0);
  t.ok(phrase.id && apart.id);
});

t.test('a title match ranks above a match in a post body only', async (t) => {
  const { make, db } = await testApp(t);
  const member = await make.member();
  const other = await make.thread({ by: member, title: 'Unrelated chatter', body: 'Nothing to see.' });
  await createReply(db, { threadId: other.id, userId: member.id, body: 'My compost heap is finally warm.' });
  await make.thread({ by: member, title: 'Compost tips for beginners', body: 'Start small.' });
  const found = results(await make.guest().page(url({ q: 'compost' })));
  t.same(found.map((r) => r.title), ['Compost tips for beginners', 'Unrelated chatter']);
});

t.test('deleted posts and posts of deleted threads are never found', async (t) => {
  const { make, db, signIn } = await testApp(t);
  const member = await make.member();
  const kept = await make.thread({ by: member, title: 'Kept thread', body: 'Zucchini bread recipe.' });
  const reply = await createReply(db, { threadId: kept.id, userId: member.id, body: 'More zucchini ideas.' });
  const gone = await make.thread({ by: member, title: 'Gone thread', body: 'Zucchini soup.' });
  await createReply(db, { threadId: gone.id, userId: member.id, body: 'Zucchini fritters too.' });

  const guest = make.guest();
  t.equal(results(await guest.page(url({ q: 'zucchini' }))).length, 4);
  await db.updateTable('posts').set({ deleted_at: new Date() }).where('id', '=', reply.id).execute();
  await db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', gone.id).execute();
  t.same(results(await guest.page(url({ q: 'zucchini' }))).map((r) => r.snippet), ['Zucchini bread recipe.']);

  // Moderators see deleted posts in their threads, not through search.
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  t.equal(results(await moderator.page(url({ q: 'zucchini' }))).length, 1);
});

t.test('filters: category, author, kind and dates', async (t) => {
  const { make, db } = await testApp(t);
  const ann = await make.member({ username: 'ann' });
  const bob = await make.member({ username: 'bob' });
  const help = await make.category({ name: 'Help', slug: 'help' });
  const ideas = await make.category({ name: 'Ideas', slug: 'ideas' });
  const day = (d: string) => new Date(`${d}T12:00:00Z`);
  await createThread(db, { categoryId: help.id, userId: ann.id, title: 'Printer offline', body: 'The printer says offline.', kind: 'question', at: day('2026-01-10') });
  await createThread(db, { categoryId: ideas.id, userId: bob.id, title: 'Printer sharing', body: 'Share a printer with friends.', kind: 'idea', at: day('2026-02-10') });
  const third = await createThread(db, { categoryId: help.id, userId: bob.id, title: 'Printer ink', body: 'Where to buy printer ink.', at: day('2026-03-10') });
  await createReply(db, { threadId: third.id, userId: ann.id, body: 'Any printer shop has it.', at: day('2026-03-11') });

  const guest = make.guest();
  const titles = async (params: Record<string, string>) => results(await guest.page(url({ q: 'printer', ...params }))).map((r) => r.title).sort();
  t.same(await titles({}), ['Printer ink', 'Printer ink', 'Printer offline', 'Printer sharing']);
  t.same(await titles({ category: 'help' }), ['Printer ink', 'Printer ink', 'Printer offline']);
  t.same(await titles({ author: 'ANN' }), ['Printer ink', 'Printer offline'], 'a username in any case; the author of the post');
  t.same(await titles({ kind: 'idea' }), ['Printer sharing']);
  t.same(await titles({ from: '2026-02-10' }), ['Printer ink', 'Printer ink', 'Printer sharing'], 'from the start of the day');
  t.same(await titles({ to: '2026-03-10' }), ['Printer ink', 'Printer offline', 'Printer sharing'], 'to the end of the day');
  t.same(await titles({ from: '2026-02-01', to: '2026-02-28', category: 'ideas', author: 'bob', kind: 'idea' }), ['Printer sharing']);

  const page = await guest.page(url({ q: 'printer', category: 'ideas', kind: 'idea' }));
  t.equal(page.querySelector('#field-category option[selected]')?.getAttribute('value'), 'ideas', 'the filters are kept in the form');
  t.equal(page.querySelector('#field-kind option[selected]')?.getAttribute('value'), 'idea');
});

t.test('snippets highlight matches with <mark>, and member text stays inert', async (t) => {
  const { make } = await testApp(t);
  const payload = 'Bananas <div> <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) "q" & <b>bold</b>';
  await make.thread({ title: 'Bananas <img src=x onerror=alert(4)> & "friends"', body: payload });
  const res = await make.guest().get(url({ q: 'bananas' }));
  t.equal(res.statusCode, 200);
  const page = res.page();
  const [result] = results(page);
  t.ok(result, 'found');
  const row = page.querySelector('.search-result')!;
  t.same(row.querySelectorAll('mark').map((m) => m.text), ['Bananas', 'Bananas'], 'the match in the title and in the snippet');
  t.equal(result.title, 'Bananas <img src=x onerror=alert(4)> & "friends"', 'the title as typed, as text');
  t.match(result.snippet, 'Bananas <div> <script>alert(1)</script> <img src=x onerror=alert(2)>', 'the body as typed, as text, tags included');
  t.equal(page.querySelectorAll('script').filter((s) => !s.getAttribute('src')).length, 0, 'no inline script');
  t.equal(page.querySelectorAll('[onerror]').length, 0, 'no onerror attribute');
  t.equal(page.querySelectorAll('img, b, div.search-result div').length, 0, 'no element from member text');
  t.equal(page.querySelectorAll('a').filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length, 0, 'no javascript: link');
  t.notMatch(res.body, /<script>alert|<img src=x/i);
});

t.test('a snippet shows the post as it reads, not its markdown', async (t) => {
  const { make } = await testApp(t);
  const body = [
    '# Tomato watering',
    '',
    'Water **the** seedlings; see [the guide](https://example.com/tomato?a=1&b=2).  ',
    'Then rest.',
    '',
    '> Warm soil & water.',
    '',
    '| Plant | Litres |',
    '| --- | --- |',
    '| tomato | 2 < 3 |',
    '',
    '```js',
    'log("<done>");',
    '```',
  ].join('\n');
  await make.thread({ title: 'Tomato diary', body });
  await make.thread({
    title: 'Tomato photo',
    body: `Typed as text: &amp;amp; and <b>not bold</b>, beside ![a ripe tomato](https://example.com/ripe.png) on the sill. ${MARK_START}Fake${MARK_END} ${LT}i>`,
  });
  const res = await make.guest().get(url({ q: 'tomatoes' }));
  const snippets = new Map(res.page().querySelectorAll('.search-result').map((r) => [
    r.querySelector('.search-result-title')!.text.trim(), r.querySelector('.search-snippet')!,
  ]));

  const diary = snippets.get('Tomato diary')!;
  t.equal(
    diary.text,
    'Tomato watering Water the seedlings; see the guide. Then rest. Warm soil & water. Plant Litres tomato 2 < 3 log("<done>");',
    'the words as read: the link by its text, block ends and line breaks as spaces',
  );
  t.notMatch(diary.text, /\*\*|\||```|#|>\s|\]\(|https?:|example/, 'no markdown, no address');
  t.same(diary.querySelectorAll('*').map((e) => `${e.tagName} ${e.text}`), ['MARK Tomato', 'MARK tomato'], 'the matches by their stem, and no other element');
  t.match(diary.innerHTML, 'soil &amp; water', '& escaped once');
  t.match(diary.innerHTML, '2 &lt; 3 log(&quot;&lt;done&gt;&quot;);', 'and < as text');

  const photo = snippets.get('Tomato photo')!;
  t.equal(photo.text, 'Typed as text: &amp; and <b>not bold</b>, beside a ripe tomato on the sill. Fake i>', 'an image by its description; the marker characters typed are dropped');
  t.match(photo.innerHTML, 'text: &amp;amp; and &lt;b&gt;not bold&lt;/b&gt;', 'what reads as an entity or a tag is text');
  t.same(photo.querySelectorAll('*').map((e) => `${e.tagName} ${e.text}`), ['MARK tomato']);
  t.notMatch(res.body, /&amp;amp;amp;|&amp;(lt|gt|quot);/, 'nothing escaped twice');
});

t.test(`${payloads.length} XSS payloads stay text in snippets made from cooked HTML`, async (t) => {
  const { make } = await testApp(t);
  for (const [i, payload] of payloads.entries()) await make.thread({ title: `Payload ${i + 1}`, body: `Payload ${payload} and payload` });
  const guest = make.guest();
  let shown = 0;
  for (let page = 1; shown < payloads.length; page++) {
    const res = await guest.get(url({ q: 'payload', page: String(page) }));
    const rows = res.page().querySelectorAll('.search-result');
    t.ok(rows.length, `page ${page} has results`);
    if (!rows.length) break;
    t.same(unsafeMarkup(res.body), [], `page ${page} is inert`);
    for (const row of rows) {
      const inSnippet = row.querySelectorAll('.search-snippet *').map((e) => e.tagName);
      t.same([...new Set(inSnippet)], ['MARK'], `no element but the marks in the snippet of ${row.querySelector('.search-result-title')?.text}`);
    }
    shown += rows.length;
  }
  t.equal(shown, payloads.length);
});

t.test('the form: empty, too long, bad filters, and paging', async (t) => {
  const { make, db } = await testApp(t);
  const guest = make.guest();

  for (const path of ['/search', '/search?q=', '/search?q=%20%20']) {
    const res = await guest.get(path);
    t.equal(res.statusCode, 200, path);
    const page = res.page();
    t.ok(page.querySelector('form.search-form input[name=q]'), 'the form');
    t.equal(results(page).length, 0);
    t.same(page.messages(), [], 'no error');
  }

  await make.thread({ title: 'Punctuation party', body: 'Odd input is still a search.' });
  for (const q of ['"', '-', 'or', '!!', '&|:*()', "'", 'the', '-odd', '"odd input', 'odd -', 'a:* & b']) {
    const res = await guest.get(url({ q }));
    t.equal(res.statusCode, 200, `q=${q}`);
  }
  t.equal(results(await guest.page(url({ q: '"odd input' }))).length, 1, 'an unclosed quote still searches');
  t.equal((await guest.get(url({ q: 'odd' }))).headers['x-robots-tag'], 'noindex');

  const long = 'word '.repeat(41);
  const tooLong = await guest.get(url({ q: long, author: 'someone' }));
  t.equal(tooLong.statusCode, 422);
  const page = tooLong.page();
  t.match(page.fieldErrors().q, /at most 200 characters/);
  t.equal(page.values('form.search-form').q, long, 'what was typed is kept');

  await make.category({ slug: 'real' });
  const bad = await guest.get(url({ q: 'x', category: 'nope', author: 'nobody_here', kind: 'poll', from: 'yesterday', to: '2026-02-30' }));
  t.equal(bad.statusCode, 422);
  const errors = bad.page().fieldErrors();
  t.match(errors.category, /no such category/);
  t.match(errors.author, /No member is called "nobody_here"/);
  t.match(errors.kind, /kind of thread/);
  t.match(errors.from, /date like/);
  t.match(errors.to, /date like/);
  t.match(bad.page().messages().join(' '), /correct the marked fields/);
  const reversed = await guest.get(url({ q: 'x', from: '2026-03-01', to: '2026-02-01' }));
  t.equal(reversed.statusCode, 422);
  t.match(reversed.page().fieldErrors().to, /before the start date/);
  const badAuthor = await guest.get(url({ q: 'x', author: '<script>' }));
  t.equal(badAuthor.statusCode, 422);
  t.match(badAuthor.page().fieldErrors().author, /Usernames are/);

  // 25 matches: 20 and a "more" link, then 5.
  const member = await make.member();
  const category = await make.category();
  for (let i = 0; i < 25; i++) {
    await createThread(db, { categoryId: category.id, userId: member.id, title: `Kettle number ${i}`, body: 'About kettles.' });
  }
  const first = await guest.page(url({ q: 'kettle' }));
  t.equal(results(first).length, 20);
  const more = first.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
  t.equal(more, '/search?q=kettle&page=2');
  const second = await guest.page(more);
  t.equal(results(second).length, 5);
  t.equal(second.querySelector('a[rel=next]'), null);
  const seen = new Set([...results(first), ...results(second)].map((r) => r.postId));
  t.equal(seen.size, 25, 'no post twice, none missing');
  const far = await guest.get(url({ q: 'kettle', page: '11' }));
  t.equal(far.statusCode, 422, 'paging stops at a small page number');
  t.match(far.page().messages().join(' '), /first 10 pages/);
  t.equal((await guest.get(url({ q: 'kettle', page: 'abc' }))).statusCode, 422);
});

t.test('the vector follows edits: a new title, a new body', async (t) => {
  const { make, db } = await testApp(t);
  const thread = await make.thread({ title: 'Old pumpkin title', body: 'Seeds and soil.' });
  const guest = make.guest();
  const titles = async (q: string) => results(await guest.page(url({ q }))).map((r) => r.title);
  t.same(await titles('pumpkin'), ['Old pumpkin title']);
  await db.updateTable('threads').set({ title: 'New squash title' }).where('id', '=', thread.id).execute();
  t.same(await titles('pumpkin'), [], 'the old title is no longer found');
  t.same(await titles('squash'), ['New squash title']);
  await db.updateTable('posts').set({ raw: 'Compost and mulch.' }).where('thread_id', '=', thread.id).execute();
  t.same(await titles('seeds'), []);
  t.same(await titles('mulch'), ['New squash title']);
  t.same(await titles('squash'), ['New squash title'], 'the title stays in the first post after a body edit');
});

t.test('the backfill gives posts written before search their vectors', async (t) => {
  const { make, db } = await testApp(t);
  const thread = await make.thread({ title: 'Lantern festival', body: 'Paper boats on the river.' });
  await createReply(db, { threadId: thread.id, userId: (await make.member()).id, body: 'Lanterns everywhere.' });
  await sql`update posts set search_vector = null`.execute(db);
  const guest = make.guest();
  const snippets = async (q: string) => results(await guest.page(url({ q }))).map((r) => r.snippet);
  t.same(await snippets('lantern'), []);
  await backfill(db);
  t.same(await snippets('lantern'), ['Paper boats on the river.', 'Lanterns everywhere.'], 'the title in the first post only, ranked first');
  t.same(await snippets('boats'), ['Paper boats on the river.']);
});

t.test('the navigation carries a labelled search box', async (t) => {
  const { make } = await testApp(t);
  const page = await make.guest().page('/');
  const form = page.querySelector('form.nav-search');
  t.equal(form?.getAttribute('action'), '/search');
  t.equal(form?.getAttribute('method'), 'get');
  const input = form?.querySelector('input[name=q]');
  t.ok(input);
  t.ok(page.querySelector(`label[for=${input?.getAttribute('id')}]`)?.text.trim(), 'a label');
});

t.test('only the newest matches are ranked: the page says so, and a filter reaches older ones', async (t) => {
  const { make, db } = await testApp(t);
  const ann = await make.member({ username: 'ann' });
  await make.thread({ by: ann, title: 'Lantern making guide', body: 'How to fold a paper lantern.' });
  const chatter = await make.thread({ title: 'Evening chatter', body: 'Hello all.' });
  // More newer matches than search ranks, each a reply in the body only: the guide's title
  // match would rank first among all of them.
  await sql`
    insert into posts (thread_id, user_id, post_number, raw, cooked)
    select t.id, t.user_id, n + 1, 'Another lantern lit, number ' || n, '<p>Another lantern lit, number ' || n || E'</p>\n'
    from threads t cross join generate_series(1, ${SEARCH_CANDIDATES}) as n where t.id = ${chatter.id}`.execute(db);
  const guest = make.guest();

  const page = await guest.page(url({ q: 'lantern' }));
  const found = results(page);
  t.equal(found.length, 20);
  t.same([...new Set(found.map((r) => r.title))], ['Evening chatter'], 'the older guide is not among the newest matches');
  t.match(page.querySelector('.search-newest')?.text ?? '', /best matches among the latest 1,000 posts that match/);
  t.equal(found[0].snippet, `Another lantern lit, number ${SEARCH_CANDIDATES}`, 'equal ranks: the newest first');

  const byAuthor = await guest.page(url({ q: 'lantern', author: 'ann' }));
  t.same(results(byAuthor).map((r) => r.title), ['Lantern making guide'], 'a filter reaches the older post');
  t.equal(byAuthor.querySelector('.search-newest'), null, 'and says nothing of a limit it did not reach');
  const guide = await db.selectFrom('threads as t').innerJoin('categories as c', 'c.id', 't.category_id')
    .select('c.slug').where('t.title', '=', 'Lantern making guide').executeTakeFirstOrThrow();
  t.same(results(await guest.page(url({ q: 'lantern', category: guide.slug }))).map((r) => r.title), ['Lantern making guide']);
});

t.test('slices of posts are searched from the newest down, visible matches only', async (t) => {
  const { make, db, databaseUrl } = await testApp(t);
  const member = await make.member();
  const open = await make.thread({ by: member, title: 'Orchard notes', body: 'Nothing yet.' });
  const unlisted = await make.thread({ by: member, title: 'Orchard drafts', body: 'Nothing either.' });
  const say = async (threadId: number, body: string) => (await createReply(db, { threadId, userId: member.id, body })).id;
  const fillers = async (n: number) => { for (let i = 0; i < n; i++) await say(open.id, `Pruning day ${i}.`); };

  const first = await say(open.id, 'A quince tree, the first.');
  await fillers(6);
  const second = await say(open.id, 'Quince jelly.');
  await fillers(6);
  const third = await say(open.id, 'Quince paste.');
  await say(unlisted.id, 'Quince in a thread nobody lists.');
  await say(unlisted.id, 'Quince again, unlisted.');
  const fourth = await say(open.id, 'Quince and apples.');
  const deleted = await say(open.id, 'Quince, deleted.');
  await db.updateTable('posts').set({ deleted_at: new Date() }).where('id', '=', deleted).execute();
  await db.updateTable('threads').set({ unlisted_at: new Date() }).where('id', '=', unlisted.id).execute();

  const search = (q: string, limits: { candidates: number; oneStep: number }, more = {}) =>
    searchPosts(db, null, { q, page: 1, ...more }, limits);
  const ids = (found: Awaited<ReturnType<typeof search>>) => found.results.map((r) => r.id).sort((a, b) => a - b);

  // Three wanted, two ids a slice to begin with: the unlisted thread's two matches take places
  // in a slice, and the search goes on below them for a visible one.
  const newest3 = await search('quince', { candidates: 3, oneStep: 2 });
  t.same(ids(newest3), [second, third, fourth], 'the newest three visible matches, the oldest left out');
  t.equal(newest3.limited, true);
  const all = await search('quince', { candidates: 10, oneStep: 2 });
  t.same(ids(all), [first, second, third, fourth]);
  t.equal(all.limited, false, 'every match was ranked');
  const everyPost = await search('quince', { candidates: 10, oneStep: 1000 });
  t.same(ids(everyPost), ids(all), 'the same in one slice');
  const byCategory = await search('quince', { candidates: 2, oneStep: 2 }, { categoryId: (await db.selectFrom('threads').select('category_id').where('id', '=', open.id).executeTakeFirstOrThrow()).category_id });
  t.same(ids(byCategory), [third, fourth], 'with a category: the newest two in it');

  // A word only the first post holds: the statistics know it for a rare one, and all posts are
  // searched at once.
  await sql`analyze posts`.execute(db);
  const sent: string[] = [];
  const counting = createDb({ url: databaseUrl, max: 1, onQuery: (text) => sent.push(text) });
  t.teardown(() => counting.destroy());
  const rare = await searchPosts(counting, null, { q: 'tree', page: 1 }, { candidates: 3, oneStep: 2 });
  t.same(ids(rare), [first]);
  t.equal(sent.filter((text) => text.includes('@@') && !text.startsWith('explain')).length, 1, 'one slice');
});

import t from 'tap';
import {
  highlight, LT, MARK_END, MARK_START, mayWalk, nextSlice, pageOfCandidates, parseDay, readSearch, searchUrl,
} from '../../server/search/rules.ts';

t.test('highlight escapes everything and marks only the matches', async (t) => {
  const cases: [string, string][] = [
    [`${MARK_START}runs${MARK_END} fast`, '<mark>runs</mark> fast'],
    [`a ${LT}script>alert(1)${LT}/script> ${MARK_START}b${MARK_END}`, 'a &lt;script&gt;alert(1)&lt;/script&gt; <mark>b</mark>'],
    [`"x" & 'y' = \`z\``, '&quot;x&quot; &amp; &#x27;y&#x27; &#x3D; &#x60;z&#x60;'],
    ['<mark>typed</mark>', '&lt;mark&gt;typed&lt;/mark&gt;'],
    // A post's text comes decoded from its cooked HTML: '&' once, and what reads as an entity stays text.
    [`soil & ${MARK_START}water${MARK_END}, 2 ${LT} 3, typed &amp;`, 'soil &amp; <mark>water</mark>, 2 &lt; 3, typed &amp;amp;'],
    [` Heading \n Cell  ${MARK_START}one${MARK_END}\n\t two `, 'Heading Cell <mark>one</mark> two'],
    ['', ''],
  ];
  for (const [marked, html] of cases) t.equal(highlight(marked), html, JSON.stringify(marked));
});

t.test('parseDay takes calendar dates that exist', async (t) => {
  const cases: [string, string | null][] = [
    ['2026-03-31', '2026-03-31T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-02-29', null],
    ['2026-13-01', null],
    ['2026-3-1', null],
    ['yesterday', null],
    ['2026-03-31T10:00:00Z', null],
  ];
  for (const [raw, iso] of cases) t.equal(parseDay(raw)?.toISOString() ?? null, iso, raw);
});

t.test('readSearch', async (t) => {
  const slugs = ['help', 'ideas'];
  const ok = readSearch({ q: '  "dark mode" -light ', category: 'help', kind: 'idea', from: '2026-01-01', to: '2026-01-31', page: '2' }, slugs);
  t.same(ok.errors, {});
  t.equal(ok.pageError, undefined);
  t.equal(ok.search.q, '"dark mode" -light');
  t.equal(ok.search.kind, 'idea');
  t.equal(ok.search.from?.toISOString(), '2026-01-01T00:00:00.000Z');
  t.equal(ok.search.before?.toISOString(), '2026-02-01T00:00:00.000Z', 'the to date is included');
  t.equal(ok.search.page, 2);

  t.same(readSearch({}, slugs).errors, {}, 'nothing asked, nothing wrong');
  t.equal(readSearch({}, slugs).search.q, '');
  t.same(Object.keys(readSearch({ q: 'x'.repeat(201) }, slugs).errors), ['q']);
  t.same(readSearch({ q: 'x'.repeat(200) }, slugs).errors, {});
  t.same(Object.keys(readSearch({ category: 'other', kind: 'poll', author: 'a b', from: 'x', to: 'y' }, slugs).errors).sort(), [
    'author', 'category', 'from', 'kind', 'to',
  ]);
  t.same(Object.keys(readSearch({ from: '2026-02-01', to: '2026-01-01' }, slugs).errors), ['to']);
  for (const page of ['0', '11', '-1', '1.5', 'x', '9999']) t.ok(readSearch({ q: 'a', page }, slugs).pageError, `page ${page}`);
  for (const page of ['1', '10', '']) t.notOk(readSearch({ q: 'a', page }, slugs).pageError, `page ${page}`);
});

t.test('searchUrl keeps the filters that are set', async (t) => {
  t.equal(searchUrl({ q: 'a & b', category: '', author: 'ann' }, 2), '/search?q=a+%26+b&author=ann&page=2');
  t.equal(searchUrl({ q: 'x' }, 1), '/search?q=x');
});

t.test('nextSlice: sized by the density of matches, the rest at once when it is sparse', async (t) => {
  // [density, missing, remaining, searched] → size of the next slice
  const cases: [[number, number, number, number], number][] = [
    // Statistics say one post in 8 holds the word: 1,000 matches in about 10,000 posts.
    [[1 / 8, 1000, 1_000_000, 0], 10_000],
    // One post in 50 matched so far: 670 more wanted, at that density and a quarter more.
    [[330 / 16_000, 670, 984_000, 16_000], 40_607],
    // Nearly enough already: at least as many posts as were searched.
    [[990 / 16_000, 10, 984_000, 16_000], 16_000],
    // One post in 200: the slice would reach over an eighth of what remains, so all of it.
    [[80 / 16_000, 920, 984_000, 16_000], 984_000],
    // None found: a rare word, or a narrow search, whose matches the text index lists cheaply.
    [[0, 1000, 984_000, 16_000], 984_000],
    [[0.5, 2, 100, 2], 5],
    [[0.5, 2, 40, 2], 40],
  ];
  for (const [[density, missing, remaining, searched], size] of cases) {
    t.equal(nextSlice(density, missing, remaining, searched), size, `density ${density}, ${missing} missing`);
  }
  t.equal(nextSlice(1 / 8, 1000, 1_000_000, 0, true), 20_000, 'a slice to walk has twice the margin');
});

t.test('mayWalk: where a walk reads fewer posts than the text index lists', async (t) => {
  // [density, missing, listed] → walk?
  const cases: [[number, number, number], boolean][] = [
    // One post in 8, a thousand wanted: a walk of ~8,000 posts; the index lists 125,000.
    [[1 / 8, 1000, 125_000], true],
    // One post in 18, 108 more wanted: ~1,900 posts to walk; the index lists 56,000.
    [[892 / 16_000, 108, 56_000], true],
    // One post in 40, 600 more wanted: ~24,000 posts to walk; the index lists 25,000.
    [[1 / 40, 600, 25_000], false],
    // Fewer matches among the newest posts than in all: the index entry is as long as ever.
    [[1 / 18, 656, 207_000], true],
    [[0, 1000, 1_000_000], false],
  ];
  for (const [[density, missing, listed], walk] of cases) {
    t.equal(mayWalk(density, missing, listed), walk, `density ${density}, ${missing} missing, ${listed} listed`);
  }
});

t.test('pageOfCandidates ranks best first, the newer post first among equals', async (t) => {
  const candidates = [
    { id: 1, rank: 0.1 },
    { id: 2, rank: 0.5 },
    { id: 3, rank: 0.1 },
    { id: 4, rank: 0.3 },
    { id: 5, rank: 0.1 },
  ];
  t.same(pageOfCandidates(candidates, 1, 2), { ids: [2, 4], more: true });
  t.same(pageOfCandidates(candidates, 2, 2), { ids: [5, 3], more: true });
  t.same(pageOfCandidates(candidates, 3, 2), { ids: [1], more: false });
  t.same(pageOfCandidates(candidates, 4, 2), { ids: [], more: false });
  t.same(pageOfCandidates([], 1), { ids: [], more: false });
  t.same(candidates.map((c) => c.id), [1, 2, 3, 4, 5], 'the list given is left as it was');
});

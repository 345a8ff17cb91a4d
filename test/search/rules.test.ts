import t from 'tap';
import { highlight, LT, MARK_END, MARK_START, parseDay, readSearch, searchUrl } from '../../server/search/rules.ts';

t.test('highlight escapes everything and marks only the matches', async (t) => {
  const cases: [string, string][] = [
    [`${MARK_START}runs${MARK_END} fast`, '<mark>runs</mark> fast'],
    [`a ${LT}script>alert(1)${LT}/script> ${MARK_START}b${MARK_END}`, 'a &lt;script&gt;alert(1)&lt;/script&gt; <mark>b</mark>'],
    [`"x" & 'y' = \`z\``, '&quot;x&quot; &amp; &#x27;y&#x27; &#x3D; &#x60;z&#x60;'],
    ['<mark>typed</mark>', '&lt;mark&gt;typed&lt;/mark&gt;'],
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

// No route answers a 500 to hostile parameters: a null byte anywhere is refused (4xx), and so is a
// number PostgreSQL cannot hold (or a negative one) where a number is expected; elsewhere
// ("99999…" as the text of a reply) the answer only must not be a 500.
import t from 'tap';
import { appWithRoutes, key, visitors, type Registered } from './route-harness.ts';
import { routeTable } from './route-table.ts';

/** The parameters a route takes, from its path and its schemas, and which of them are numbers. */
function parametersOf(r: Registered) {
  type Props = { properties?: Record<string, { type?: string | string[]; items?: { type?: string } }> } | undefined;
  const props = (s: unknown) => Object.keys((s as Props)?.properties ?? {});
  const numeric = new Set<string>();
  for (const s of [r.schema?.params, r.schema?.querystring, r.schema?.body] as Props[]) {
    for (const [name, p] of Object.entries(s?.properties ?? {})) {
      const type = [p.type, p.items?.type].flat();
      if (type.includes('integer') || type.includes('number')) numeric.add(name);
    }
  }
  return {
    path: [...r.route.matchAll(/:(\w+)/g)].map((m) => m[1]),
    query: props(r.schema?.querystring),
    body: props(r.schema?.body).filter((p) => p !== '_csrf'),
    numeric,
  };
}

const nulls = ['a\u0000b'];
const numbers = ['99999999999999999999', '-1'];

t.test('no route answers a 500 to a null byte or an out-of-range number in a parameter', async (t) => {
  const h = await appWithRoutes(t);
  const { agents, newWorld, people } = await visitors(h);
  const admin = agents.get('admin')!;
  const wrong: string[] = [];
  let tried = 0;
  for (const r of h.registered) {
    const row = routeTable.find((x) => key(x.method, x.route) === key(r.method, r.route));
    if (!row) continue;
    const world = await newWorld();
    const url = new URL(row.url(world, people.admin!), 'http://localhost');
    const form = row.form?.(world) ?? {};
    const { path, query, body, numeric } = parametersOf(r);
    const tries: { what: string; url: string; form: Record<string, string>; refused: boolean }[] = [];
    for (const value of [...nulls, ...numbers]) {
      const isNull = nulls.includes(value);
      const pattern = r.route.split('/');
      for (const name of path) {
        const segments = url.pathname.split('/');
        const at = pattern.findIndex((s) => s.startsWith(`:${name}`));
        if (at < 0 || at >= segments.length) continue;
        const suffix = pattern[at].includes('.') ? pattern[at].slice(pattern[at].indexOf('.')) : '';
        segments[at] = encodeURIComponent(value) + suffix;
        // An id is a number; a slug or a name that is a number is only not found (or, for a
        // thread's slug, leads to the thread's address).
        tries.push({ what: `path :${name}=${JSON.stringify(value)}`, url: segments.join('/') + url.search, form, refused: isNull || numeric.has(name) });
      }
      for (const name of query) {
        const q = new URLSearchParams(url.search);
        q.set(name, value);
        tries.push({ what: `query ${name}=${JSON.stringify(value)}`, url: `${url.pathname}?${q}`, form, refused: isNull || numeric.has(name) });
      }
      for (const name of body) {
        tries.push({ what: `field ${name}=${JSON.stringify(value)}`, url: url.pathname + url.search, form: { ...form, [name]: value }, refused: isNull || numeric.has(name) });
      }
    }
    for (const attempt of tries) {
      tried++;
      let res;
      if (r.method === 'GET') res = await admin.get(attempt.url);
      else {
        await admin.get('/search');
        h.clock.advance(60);
        res = await admin.submit(attempt.url, attempt.form);
      }
      const ok = attempt.refused ? res.statusCode >= 400 && res.statusCode < 500 : res.statusCode < 500;
      if (!ok) wrong.push(`${r.method} ${r.route} ${attempt.what}: ${res.statusCode}`);
    }
  }
  t.comment(`${tried} hostile requests`);
  t.same(wrong, [], 'hostile parameters refused, never a 500');
});

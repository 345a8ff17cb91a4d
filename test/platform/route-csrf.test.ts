// Every state-changing route refuses a form sent without its CSRF token, whoever sends it.
import t from 'tap';
import { appWithRoutes, visitors } from './route-harness.ts';
import { routeTable } from './route-table.ts';

t.test('a state-changing route refuses a request without a CSRF token', async (t) => {
  const h = await appWithRoutes(t);
  const { people, agents, newWorld } = await visitors(h);
  const wrong: string[] = [];
  for (const role of ['anonymous', 'member', 'admin'] as const) {
    const agent = agents.get(role)!;
    const world = await newWorld();
    for (const row of routeTable.filter((r) => r.method === 'POST')) {
      await agent.get(row.formPage ?? '/search');
      h.clock.advance(60);
      const res = await agent.submit(row.url(world, people[role as 'member'] ?? null), row.form?.(world) ?? {}, { csrf: false });
      // A guest may be told to sign in first (401) rather than about the token: refused either way.
      const refused = res.statusCode === 403 || (role === 'anonymous' && res.statusCode === 401);
      if (!refused) wrong.push(`${row.route} as ${role}: ${res.statusCode}`);
    }
  }
  t.same(wrong, [], 'every POST without a token is refused (403; a guest may get 401)');
});

// No route ships without a row in test/platform/route-table.ts. The table's answers are checked
// role by role in route-roles-*.test.ts (three files, so that they run side by side).
import t from 'tap';
import { appWithRoutes, key } from './route-harness.ts';
import { ROLES, routeTable } from './route-table.ts';

t.test('every route has a row in the table, and every row a route', async (t) => {
  const { registered } = await appWithRoutes(t);
  const rows = new Set(routeTable.map((r) => key(r.method, r.route)));
  const routes = new Set(registered.map((r) => key(r.method, r.route)));
  t.same([...routes].filter((r) => !rows.has(r)), [], 'routes without a row in test/platform/route-table.ts');
  t.same([...rows].filter((r) => !routes.has(r)), [], 'rows for routes the app no longer has');
  t.equal(rows.size, routeTable.length, 'one row per route');
  t.comment(`${routeTable.length} routes × ${ROLES.length} roles = ${routeTable.length * ROLES.length} cells`);
});

// What the route × role tests share: the app with its routes collected, a browser per role, and
// the world each request acts on (route-world.ts).
import type { Test } from 'tap';
import type { RouteOptions } from 'fastify';
import { imposeSanction } from '../../server/moderation/sanctions/queries.ts';
import type { Agent } from '../helpers/agent.ts';
import { testApp, type Member } from '../helpers/app.ts';
import { routeTable, type RouteRow, type TableRole } from './route-table.ts';
import { makeCast, makeWorld, type World } from './route-world.ts';

export interface Registered {
  method: string;
  route: string;
  schema: RouteOptions['schema'];
}

export const key = (method: string, route: string) => `${method} ${route}`;

/** The app (with the bench's routes, so that they are in the table too), its routes as registered. */
export async function appWithRoutes(t: Test) {
  const registered: Registered[] = [];
  const h = await testApp(t, {
    benchRoutes: true,
    onRoute: (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') registered.push({ method, route: r.url, schema: r.schema });
    },
  });
  await h.app.ready();
  return { ...h, registered };
}

export type Harness = Awaited<ReturnType<typeof appWithRoutes>>;

/**
 * A signed-in browser for each role; a guest's comes as it is. The silenced and the suspended
 * member are sanctioned after signing in, as happens to a member in the middle of a visit: a
 * suspension ends their sessions, so their browser holds a dead cookie.
 */
export async function visitors(h: Harness) {
  const { make, signIn, db, clock } = h;
  const people: Partial<Record<TableRole, Member>> = {
    newcomer: await make.member({ rank: 0 }),
    member: await make.member(),
    moderator: await make.member({ role: 'moderator' }),
    staff: await make.member({ role: 'staff' }),
    admin: await make.member({ role: 'admin' }),
    silenced: await make.member(),
    suspended: await make.member(),
  };
  const agents = new Map<TableRole, Agent>([['anonymous', make.guest()]]);
  for (const [role, member] of Object.entries(people) as [TableRole, Member][]) agents.set(role, await signIn(member));
  const now = clock.now();
  const until = new Date(now.getTime() + 30 * 86_400_000);
  for (const kind of ['silence', 'suspend'] as const) {
    const member = people[kind === 'silence' ? 'silenced' : 'suspended']!;
    await db.transaction().execute((tx) => imposeSanction(tx, { kind, reason: 'For the table', endsAt: until, member, by: people.admin!.id, at: now }));
  }
  const cast = await makeCast(h, Object.values(people) as Member[]);
  const settings = await settingsForm(agents.get('admin')!);
  return { people, agents, newWorld: (): Promise<World> => makeWorld(h, cast, settings) };
}

/** The settings form as an admin sees it: every field with its current value. */
async function settingsForm(admin: Agent) {
  const page = await admin.page('/admin/settings');
  const fields: Record<string, string> = {};
  for (const input of page.querySelectorAll('form[action="/admin/settings"] input')) {
    const name = input.getAttribute('name');
    if (name && name !== '_csrf') fields[name] = input.getAttribute('value') ?? '';
  }
  return fields;
}

/** One request of a row: a GET, or a form sent from a page after a person's pause. */
export async function ask(h: Harness, agent: Agent, row: RouteRow, url: string, form?: Record<string, string>) {
  if (row.method === 'GET') return agent.get(url);
  await agent.get(row.formPage ?? '/search');
  h.clock.advance(60);
  return agent.submit(url, form ?? {});
}

/**
 * Asks every route of the table as each of these roles and lists the answers that differ from
 * it. A world serves a row until a request changes it (an action that was let through).
 */
export async function answersUnlike(h: Harness, roles: readonly TableRole[]): Promise<string[]> {
  const { people, agents, newWorld } = await visitors(h);
  const wrong: string[] = [];
  for (const row of routeTable) {
    let world: World | undefined;
    for (const role of roles) {
      world ??= await newWorld();
      const viewer = role === 'anonymous' ? null : people[role]!;
      let agent = agents.get(role)!;
      if (row.ownBrowser) {
        agent = role === 'anonymous' || role === 'suspended' ? h.make.guest() : await h.signIn(viewer!);
        // A suspended member's browser still holds their ended session's cookie.
        if (role === 'suspended') agent.cookies = new Map(agents.get('suspended')!.cookies);
      }
      const res = await ask(h, agent, row, row.url(world, viewer), row.form?.(world));
      if (res.statusCode !== row.expect[role]) wrong.push(`${row.method} ${row.route} as ${role}: ${res.statusCode}, the table says ${row.expect[role]}`);
      if (row.method === 'POST' && res.statusCode < 400) world = undefined;
      if (row.endsSessions && viewer && res.statusCode < 400) agents.set(role, await h.signIn(viewer));
    }
  }
  return wrong;
}

import t, { type Test } from 'tap';
import { testApp } from '../helpers/app.ts';
import type { Response } from '../helpers/agent.ts';

interface SetCookie {
  name: string;
  value: string;
  secure?: boolean;
}

/**
 * A member's whole visit: the sign-in form (CSRF cookie), signing in (session and flash),
 * the page that shows the flash (which clears it), signing out (the session cleared). Every
 * cookie set on the way, by name and whether it was being set or cleared.
 */
async function visit(t: Test, baseUrl: string, headers: Record<string, string> = {}) {
  const { make } = await testApp(t, { baseUrl });
  const member = await make.member();
  const agent = make.guest();
  const set: (SetCookie & { step: string })[] = [];
  const seen = (step: string, res: Response) => {
    for (const c of res.cookies as SetCookie[]) set.push({ ...c, step });
    return res;
  };
  seen('sign-in form', await agent.get('/login', headers));
  const signedIn = seen('sign in', await agent.request('POST', '/login', {
    form: { _csrf: agent.csrfToken, login: member.username, password: member.password },
    headers,
  }));
  t.equal(signedIn.statusCode, 303, 'signed in');
  const home = seen('home', await agent.get('/', headers));
  t.equal(home.page().querySelector('.nav-user')?.text, member.username, 'the session works');
  const out = seen('sign out', await agent.request('POST', '/logout', { form: { _csrf: agent.csrfToken }, headers }));
  t.equal(out.statusCode, 303, 'signed out');
  seen('home again', await agent.get('/', headers));
  return set;
}

const EXPECTED = ['hearth_csrf', 'hearth_session', 'hearth_flash'];

for (const [proxySays, headers] of [
  ['nothing of the protocol', {}],
  ['https', { 'x-forwarded-proto': 'https' }],
  ['http', { 'x-forwarded-proto': 'http' }],
] as const) {
  t.test(`under an https BASE_URL every cookie is Secure (the proxy says ${proxySays})`, async (t) => {
    const set = await visit(t, 'https://forum.example', headers);
    for (const name of EXPECTED) t.ok(set.some((c) => c.name === name), `${name} is set`);
    t.ok(set.some((c) => c.name === 'hearth_session' && c.value === ''), 'the session cookie is cleared at sign-out');
    for (const c of set) t.equal(c.secure, true, `${c.name} (${c.step}${c.value ? '' : ', cleared'}) is Secure`);
  });
}

t.test('under an http BASE_URL no cookie is Secure, even when a proxy says https', async (t) => {
  for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
    const set = await visit(t, 'http://localhost:3000', headers);
    for (const name of EXPECTED) t.ok(set.some((c) => c.name === name), `${name} is set`);
    for (const c of set) t.not(c.secure, true, `${c.name} (${c.step}) is not Secure: the browser would drop it`);
  }
});

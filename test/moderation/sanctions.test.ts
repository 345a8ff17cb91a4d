import t, { type Test } from 'tap';
import { endText, parseSanction, sanctionState } from '../../server/moderation/sanctions/rules.ts';
import { parseMoment } from '../../server/text/moments.ts';
import type { Agent } from '../helpers/agent.ts';
import { type Member } from '../helpers/app.ts';
import { moderationSetup } from '../helpers/moderation.ts';

const DAY = 86_400_000;

t.test('the sanction form, read as a rule', async (t) => {
  const now = new Date('2026-03-01T12:00:00Z');
  const cases: [Record<string, string>, { kind?: string; endsAt?: string | null; errors?: string[] }][] = [
    [{ kind: 'warn', reason: 'Be kind.' }, { kind: 'warn', endsAt: null }],
    [{ kind: 'warn', reason: 'Be kind.', until: '2020-01-01' }, { kind: 'warn', endsAt: null }],
    [{ kind: 'silence', reason: 'Cool off.', days: '3' }, { kind: 'silence', endsAt: '2026-03-04T12:00:00.000Z' }],
    [{ kind: 'suspend', reason: 'Spam.', until: '2026-03-10' }, { kind: 'suspend', endsAt: '2026-03-10T00:00:00.000Z' }],
    [{ kind: 'suspend', reason: 'Spam.', until: '2026-03-10T08:30', days: '1' }, { kind: 'suspend', endsAt: '2026-03-10T08:30:00.000Z' }],
    [{ kind: 'ban', reason: 'Spam bot.' }, { kind: 'ban', endsAt: null }],
    [{ kind: 'silence', reason: 'x' }, { errors: ['until'] }],
    [{ kind: 'silence', reason: 'x', days: '2' }, { errors: ['until'] }],
    [{ kind: 'suspend', reason: 'x', until: '2026-02-28' }, { errors: ['until'] }],
    [{ kind: 'suspend', reason: 'x', until: 'next week' }, { errors: ['until'] }],
    [{ kind: 'suspend', reason: 'x', until: '2026-02-31' }, { errors: ['until'] }],
    [{ kind: 'silence', reason: '   ', days: '1' }, { errors: ['reason'] }],
    [{ kind: 'mute', reason: 'x' }, { errors: ['kind'] }],
    [{}, { errors: ['kind', 'reason'] }],
  ];
  for (const [form, expected] of cases) {
    const { sanction, errors } = parseSanction(form, now);
    if (expected.errors) {
      t.same(Object.keys(errors).sort(), expected.errors, JSON.stringify(form));
      t.equal(sanction, undefined);
    } else {
      t.equal(sanction?.kind, expected.kind, JSON.stringify(form));
      t.equal(sanction?.endsAt?.toISOString() ?? null, expected.endsAt);
    }
  }
  t.equal(parseMoment('2026-03-05T14:30+02:00')?.toISOString(), '2026-03-05T12:30:00.000Z');
  t.equal(parseMoment('5 March'), null);

  const end = new Date('2026-03-04T12:00:00Z');
  const states: [Parameters<typeof sanctionState>[0], Date, string][] = [
    [{ kind: 'silence', ends_at: end, lifted_at: null }, now, 'in force'],
    [{ kind: 'silence', ends_at: end, lifted_at: null }, end, 'ended'],
    [{ kind: 'silence', ends_at: end, lifted_at: now }, now, 'lifted'],
    [{ kind: 'ban', ends_at: null, lifted_at: null }, new Date('2099-01-01'), 'in force'],
    [{ kind: 'warn', ends_at: null, lifted_at: null }, now, 'ended'],
  ];
  for (const [s, at, expected] of states) t.equal(sanctionState(s, at), expected, `${s.kind} at ${at.toISOString()}`);
  t.equal(endText({ kind: 'suspend', ends_at: end }), 'until 4 Mar 2026, 12:00 UTC');
  t.equal(endText({ kind: 'ban', ends_at: null }), 'with no end');
  t.equal(endText({ kind: 'warn', ends_at: null }), '');
});

/** An app on a clock the test moves, a moderator, and a member to sanction. */
async function setup(t: Test) {
  const env = await moderationSetup(t);
  return {
    ...env,
    async sanction(who: Member, fields: Record<string, string>, as: Agent = env.mod) {
      await as.page(`/u/${who.username}/sanction`);
      return as.submit(`/u/${who.username}/sanction`, fields);
    },
  };
}

t.test('a silenced member may read but not post, is told why and until when, and may post again at the end', async (t) => {
  const { make, db, signIn, member, moderator, sanction, advance } = await setup(t);
  const thread = await make.thread({ replies: 1 });
  const category = await db.selectFrom('categories').select('slug').where('id', '=', (await db.selectFrom('threads').select('category_id').where('id', '=', thread.id).executeTakeFirstOrThrow()).category_id).executeTakeFirstOrThrow();
  const agent = await signIn(member);

  const res = await sanction(member, { kind: 'silence', days: '3', reason: 'Heated replies in the pricing thread.' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/u/${member.username}/sanction`);

  const page = await agent.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.h1(), 'A thread to talk about', 'may read');
  const refused = await agent.submit(`/t/${thread.id}/replies`, { body: 'I still have something to say.' });
  t.equal(refused.statusCode, 403, 'may not reply');
  const said = refused.page().messages().join(' ');
  t.match(said, /silenced until/);
  t.match(said, /Heated replies in the pricing thread\./);
  t.match(said, /UTC/);
  t.equal(refused.page().querySelector('textarea[name=body]')?.text, 'I still have something to say.', 'the text is kept');
  await agent.page(`/c/${category.slug}/new`);
  const thread403 = await agent.submit(`/c/${category.slug}/threads`, { title: 'A brand new thread', body: 'Hello', kind: 'discussion' });
  t.equal(thread403.statusCode, 403, 'may not start a thread');
  t.equal(await db.selectFrom('posts').select('id').where('user_id', '=', member.id).executeTakeFirst(), undefined, 'nothing written');

  const row = await db.selectFrom('users').select(['silenced_until']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.ok(row.silenced_until, 'the end is mirrored on the member');
  const notices = await db.selectFrom('notifications').select(['kind', 'message']).where('user_id', '=', member.id).execute();
  t.equal(notices.length, 1);
  t.equal(notices[0].kind, 'sanction');
  t.match(notices[0].message, /silenced until .* UTC.*Heated replies in the pricing thread\..*\/sanctions/);
  const log = await db.selectFrom('staff_log').selectAll().where('action', '=', 'user.silence').execute();
  t.equal(log.length, 1);
  t.equal(log[0].actor_id, moderator.id);
  t.equal(log[0].target_id, member.id);
  t.equal(log[0].target_label, member.username);
  t.equal(log[0].reason, 'Heated replies in the pricing thread.');

  const own = await agent.page('/sanctions');
  const item = own.querySelector('.sanction[data-kind=silence]');
  t.ok(item, 'the member sees the sanction on their page');
  t.equal(item?.getAttribute('data-state'), 'in force');
  t.match(item?.querySelector('.sanction-reason')?.text ?? '', /Heated replies/);
  t.ok(item?.querySelector('a[href$="/appeal"]'), 'with a way to appeal');
  t.ok((await agent.page(`/u/${member.username}`)).querySelector('.sanction[data-kind=silence]'), 'and on their profile');
  t.equal((await make.guest().page(`/u/${member.username}`)).querySelector('.sanction'), null, 'others do not');

  advance(3 * 86_400_000 + 1000);
  await agent.page(`/t/${thread.id}/${thread.slug}?page=1`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: 'Back, and calmer.' })).statusCode, 303, 'the silence lifted itself');
  t.equal((await agent.page('/sanctions')).querySelector('.sanction')?.getAttribute('data-state'), 'ended');
});

t.test('a suspended member cannot sign in: the page says why and until when, and their sessions stop', async (t) => {
  const { make, db, signIn, member, sanction, advance, now } = await setup(t);
  const agent = await signIn(member);
  const other = await signIn(member);
  const end = new Date(now().getTime() + 7 * DAY).toISOString().slice(0, 16);

  const res = await sanction(member, { kind: 'suspend', until: end, reason: 'Repeated spam links.' });
  t.equal(res.statusCode, 303);
  for (const a of [agent, other]) {
    const home = await a.page('/');
    t.equal(home.querySelector('.nav-user'), null, 'an existing session no longer signs them in');
    t.equal((await a.get('/notifications')).statusCode, 303);
  }
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', member.id).execute()).length, 0, 'their sessions are ended');

  const visitor = make.guest();
  await visitor.get('/login');
  const refused = await visitor.submit('/login', { login: member.username, password: member.password });
  t.equal(refused.statusCode, 403);
  const page = refused.page();
  t.match(page.h1(), /suspended/);
  t.match(page.querySelector('.sanction-reason')?.text ?? '', /Repeated spam links\./);
  t.match(page.querySelector('.sanction-end')?.text ?? '', /UTC/);
  t.ok(page.querySelector('form.appeal-form input[name=token]'), 'an appeal form that works without a session');
  t.equal(visitor.session(), undefined, 'not signed in');
  const wrong = await visitor.submit('/login', { login: member.username, password: 'not the password at all' });
  t.equal(wrong.statusCode, 401, 'a wrong password learns nothing of the suspension');
  t.notMatch(wrong.body, /suspended/);

  advance(7 * DAY + 60_000);
  const back = make.guest();
  await back.get('/login');
  t.equal((await back.submit('/login', { login: member.username, password: member.password })).statusCode, 303, 'the suspension lifted itself');
});

t.test('a session of a member whose suspension is in force does not count, even before it is ended', async (t) => {
  const { db, signIn, member, advance, now } = await setup(t);
  const agent = await signIn(member);
  await db.updateTable('users').set({ suspended_until: new Date(now().getTime() + DAY) }).where('id', '=', member.id).execute();
  t.equal((await agent.page('/')).querySelector('.nav-user'), null);
  advance(DAY + 1000);
  t.equal((await agent.page('/')).querySelector('.nav-user')?.text, member.username, 'and counts again once it ends');
});

t.test('a warning is a private notice and stays on the member\'s list', async (t) => {
  const { db, signIn, member, sanction } = await setup(t);
  const res = await sanction(member, { kind: 'warn', reason: 'Please keep to the topic.' });
  t.equal(res.statusCode, 303);
  const notices = await db.selectFrom('notifications').select(['kind', 'message']).where('user_id', '=', member.id).execute();
  t.same(notices.map((n) => n.kind), ['sanction']);
  t.match(notices[0].message, /warning.*Please keep to the topic\./);
  const agent = await signIn(member);
  const item = (await agent.page('/sanctions')).querySelector('.sanction[data-kind=warn]');
  t.match(item?.querySelector('.sanction-reason')?.text ?? '', /Please keep to the topic\./);
  const listed = (await agent.page('/notifications')).querySelector('.notification[data-kind=sanction]');
  t.match(listed?.querySelector('.notice-message')?.text ?? '', /Please keep to the topic\./, 'the notice is on their notifications');
  t.ok(listed?.querySelector('a[href="/sanctions"]'), 'and leads to their sanctions');
  t.equal((await db.selectFrom('staff_log').select('action').execute()).map((l) => l.action).filter((a) => a.startsWith('user.')).join(), 'user.warn');
});

t.test('a ban has no end: sign-in is refused until it is lifted, and lifting is logged', async (t) => {
  const { make, db, signIn, member, sanction } = await setup(t);
  const agent = await signIn(member);
  const res = await sanction(member, { kind: 'ban', until: '', reason: 'Spam account.' });
  t.equal(res.statusCode, 303);
  t.equal((await agent.page('/')).querySelector('.nav-user'), null);
  const user = await db.selectFrom('users').select(['banned_at', 'suspended_until']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.ok(user.banned_at instanceof Date);
  t.equal(user.suspended_until, null);

  const visitor = make.guest();
  await visitor.get('/login');
  const refused = await visitor.submit('/login', { login: member.email, password: member.password });
  t.equal(refused.statusCode, 403);
  t.match(refused.page().h1(), /banned/);
  t.match(refused.page().querySelector('.sanction-end')?.text ?? '', /no end/);

  const admin = await signIn(await make.member({ role: 'admin' }));
  const form = await admin.page(`/u/${member.username}/sanction`);
  const lift = form.querySelector('form.lift-form');
  t.ok(lift, 'a lift button beside a sanction in force');
  const lifted = await admin.submit(lift!.getAttribute('action')!, {});
  t.equal(lifted.statusCode, 303);
  t.equal((await db.selectFrom('users').select('banned_at').where('id', '=', member.id).executeTakeFirstOrThrow()).banned_at, null);
  await visitor.get('/login');
  t.equal((await visitor.submit('/login', { login: member.username, password: member.password })).statusCode, 303);
  const log = await db.selectFrom('staff_log').selectAll().where('action', '=', 'sanction.lift').execute();
  t.equal(log.length, 1);
  t.equal(log[0].target_type, 'sanction');
  t.equal(log[0].target_label, member.username);
  t.equal((await admin.submit(lift!.getAttribute('action')!, {})).statusCode, 409, 'lifting twice is refused');
});

t.test('lifting a silence early lets the member post at once', async (t) => {
  const { make, db, signIn, member, sanction, mod } = await setup(t);
  const thread = await make.thread();
  await sanction(member, { kind: 'silence', days: '30', reason: 'Cool off.' });
  const s = await db.selectFrom('sanctions').select('id').where('user_id', '=', member.id).executeTakeFirstOrThrow();
  await mod.page(`/u/${member.username}/sanction`);
  t.equal((await mod.submit(`/sanctions/${s.id}/lift`, { reason: 'Apologised.' })).statusCode, 303);
  const agent = await signIn(member);
  await agent.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: 'Thanks, I will keep it civil.' })).statusCode, 303);
  const notices = await db.selectFrom('notifications').select('message').where('user_id', '=', member.id).where('kind', '=', 'sanction').orderBy('id').execute();
  t.equal(notices.length, 2);
  t.match(notices[1].message, /lifted/);
});

t.test('bad sanction input: the error beside its field, input kept, nothing written', async (t) => {
  const { db, member, sanction, now } = await setup(t);
  const past = new Date(now().getTime() - DAY).toISOString().slice(0, 10);
  const cases: [Record<string, string>, string][] = [
    [{ kind: 'warn', reason: '' }, 'reason'],
    [{ kind: 'warn', reason: '   ' }, 'reason'],
    [{ kind: 'silence', reason: 'Cool off.' }, 'until'],
    [{ kind: 'suspend', reason: 'Spam.', until: past }, 'until'],
    [{ kind: 'suspend', reason: 'Spam.', until: 'soon' }, 'until'],
    [{ kind: 'exile', reason: 'Spam.' }, 'kind'],
  ];
  for (const [fields, field] of cases) {
    const res = await sanction(member, fields);
    t.equal(res.statusCode, 422, JSON.stringify(fields));
    const page = res.page();
    t.ok(page.fieldErrors()[field], `an error beside ${field}`);
    if (fields.reason?.trim()) t.equal(page.querySelector('textarea[name=reason]')?.text, fields.reason, 'the reason is kept');
  }
  t.equal((await db.selectFrom('sanctions').select('id').execute()).length, 0);
  t.equal((await db.selectFrom('staff_log').select('id').execute()).length, 0);
});

t.test('who may sanction whom; forged requests are refused', async (t) => {
  const { make, db, signIn, member, moderator, mod, sanction } = await setup(t);
  const plain = await signIn(await make.member({ rank: 3 }));
  t.equal((await plain.get(`/u/${member.username}/sanction`)).statusCode, 403, 'members may not open the form');
  await plain.page('/');
  t.equal((await plain.submit(`/u/${member.username}/sanction`, { kind: 'warn', reason: 'Hm.' })).statusCode, 403, 'nor sanction');
  t.notOk((await plain.page(`/u/${member.username}`)).querySelector(`a[href="/u/${member.username}/sanction"]`));
  t.ok((await mod.page(`/u/${member.username}`)).querySelector(`a[href="/u/${member.username}/sanction"]`), 'moderators find the form on the profile');

  const staff = await make.member({ role: 'staff' });
  const otherModerator = await make.member({ role: 'moderator' });
  for (const target of [staff, otherModerator, moderator]) {
    t.equal((await mod.get(`/u/${target.username}/sanction`)).statusCode, 403, `a moderator may not sanction ${target.role === 'moderator' && target.id === moderator.id ? 'themselves' : target.role}`);
    await mod.page('/');
    t.equal((await sanction(target, { kind: 'warn', reason: 'Hm.' })).statusCode, 403);
  }
  t.equal((await mod.get('/u/nobody_at_all/sanction')).statusCode, 404);
  const admin = await signIn(await make.member({ role: 'admin' }));
  t.equal((await sanction(otherModerator, { kind: 'warn', reason: 'Please mind the guidelines.' }, admin)).statusCode, 303, 'an admin may warn a moderator');

  await mod.page(`/u/${member.username}/sanction`);
  const forged = await mod.submit(`/u/${member.username}/sanction`, { kind: 'ban', reason: 'Forged.' }, { csrf: false });
  t.equal(forged.statusCode, 403, 'a request without the CSRF token is refused');
  const s = await db.selectFrom('sanctions').select(['id', 'user_id']).execute();
  t.same(s.map((r) => r.user_id), [otherModerator.id], 'only the admin\'s warning was written');
  t.equal((await plain.submit(`/sanctions/${s[0].id}/lift`, {})).statusCode, 403, 'members may not lift');
});

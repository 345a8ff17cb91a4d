// Invite links: made by staff and admins with an expiry, a use limit, and optionally a role or a
// private category; used by registering from the link; revoked; who invited whom kept.
import t, { type Test } from 'tap';
import { testCost } from '../../server/accounts/passwords.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { invitesOf, registerByInvite } from '../../server/invites/queries.ts';
import { createCategory, createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';
import type { Agent } from '../helpers/agent.ts';

type App = Awaited<ReturnType<typeof testApp>> & { t: Test };

/** Makes an invite through the admin page and answers its code. */
async function invite(h: App, by: Agent, fields: Record<string, string> = {}): Promise<string> {
  await by.get('/admin/invites');
  const res = await by.submit('/admin/invites', { expires_days: '7', max_uses: '1', role: '', category: '', note: '', ...fields });
  h.t.equal(res.statusCode, 303, 'the invite is made');
  const row = await h.db.selectFrom('invites').select('code').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.code;
}

/** Registers from the invite's page, as a person would: open the link, fill in the form. */
async function registerFrom(h: App, code: string, username: string) {
  const guest = h.make.guest();
  const page = await guest.get(`/invite/${code}`);
  h.clock.advance(60);
  const res = await guest.submit('/register', { username, email: `${username}@example.test`, password: 'a long enough password' });
  return { guest, page, res };
}

const userNamed = (h: App, username: string) => h.db.selectFrom('users').select(['id', 'role', 'rank']).where('username', '=', username).executeTakeFirst();

t.test('staff make an invite; its link leads to the registration form, which uses it', async (t) => {
  const h = { ...(await testApp(t)), t };
  const staffMember = await h.make.member({ role: 'staff', username: 'brandstaff' });
  const staff = await h.signIn(staffMember);
  const code = await invite(h, staff, { note: 'For Ada', max_uses: '2' });
  t.match(code, /^[A-Za-z0-9_-]{24}$/, 'a random code of 24 base64url characters');
  const list = await staff.page('/admin/invites');
  t.match(list.text, `/invite/${code}`);
  t.match(list.text, 'For Ada');
  const logged = await h.db.selectFrom('staff_log').select(['action', 'actor_id', 'target_type']).where('action', 'like', 'invite.%').execute();
  t.same(logged, [{ action: 'invite.create', actor_id: staffMember.id, target_type: 'invite' }]);

  const { page, res } = await registerFrom(h, code, 'ada');
  t.equal(page.statusCode, 200);
  t.match(page.page().text, 'brandstaff invites you');
  t.equal(page.page().querySelector('input[name=invite]')?.getAttribute('value'), code, 'the code is kept in the form');
  t.equal(res.statusCode, 303);
  const ada = await userNamed(h, 'ada');
  t.ok(ada, 'registered');
  t.equal(ada!.role, 'member');
  const row = await h.db.selectFrom('invites').select(['used_count']).where('code', '=', code).executeTakeFirstOrThrow();
  t.equal(row.used_count, 1, 'one use taken');
  const use = await h.db.selectFrom('invite_uses').selectAll().where('user_id', '=', ada!.id).executeTakeFirstOrThrow();
  t.ok(use.invite_id);

  // Who invited whom.
  const of = await invitesOf(h.db, ada!.id);
  t.same(of.invitedBy && { id: of.invitedBy.id, username: of.invitedBy.username }, { id: staffMember.id, username: 'brandstaff' });
  t.same((await invitesOf(h.db, staffMember.id)).invited.map((u) => u.username), ['ada']);
  t.match((await staff.page('/admin/invites')).text, 'ada', 'the list says who came in by it');
});

t.test('who may make invites, and which roles they may give', async (t) => {
  const h = { ...(await testApp(t)), t };
  for (const role of ['member', 'moderator'] as const) {
    const agent = await h.signIn(await h.make.member({ role }));
    t.equal((await agent.get('/admin/invites')).statusCode, 403, `${role}: the page`);
    t.equal((await agent.submit('/admin/invites', { expires_days: '7', max_uses: '1' })).statusCode, 403, `${role}: making one`);
  }
  t.equal((await h.make.guest().get('/admin/invites')).statusCode, 303, 'a guest is asked to sign in');

  // Staff give roles up to their own; never admin.
  const staff = await h.signIn(await h.make.member({ role: 'staff' }));
  await staff.get('/admin/invites');
  const refused = await staff.submit('/admin/invites', { expires_days: '7', max_uses: '1', role: 'admin' });
  t.equal(refused.statusCode, 422);
  t.match(refused.page().fieldErrors().role, 'up to your own');
  t.equal(refused.page().querySelector('#field-role option[value=admin]'), null, 'admin is not offered to staff');
  const bad = await staff.submit('/admin/invites', { expires_days: '0', max_uses: 'lots' });
  t.equal(bad.statusCode, 422);
  t.ok(bad.page().fieldErrors().expires_days && bad.page().fieldErrors().max_uses, 'each error beside its field');
  t.equal(await h.db.selectFrom('invites').select('id').executeTakeFirst(), undefined, 'nothing made');

  const staffCode = await invite(h, staff, { role: 'moderator' });
  await registerFrom(h, staffCode, 'newmod');
  t.equal((await userNamed(h, 'newmod'))!.role, 'moderator', 'the role is applied');

  const admin = await h.signIn(await h.make.member({ role: 'admin' }));
  const adminCode = await invite(h, admin, { role: 'admin' });
  await registerFrom(h, adminCode, 'newadmin');
  t.equal((await userNamed(h, 'newadmin'))!.role, 'admin', 'an admin may invite an admin');
});

t.test('an invite expires, by the clock', async (t) => {
  const h = { ...(await testApp(t)), t };
  const staff = await h.signIn(await h.make.member({ role: 'staff' }));
  const code = await invite(h, staff, { expires_days: '2' });
  const guest = h.make.guest();
  t.equal((await guest.get(`/invite/${code}`)).statusCode, 200);
  h.clock.advance(2 * 86400 + 60);
  const expired = await guest.get(`/invite/${code}`);
  t.equal(expired.statusCode, 410);
  t.match(expired.body, 'expired');
  // A registration sending the code anyway is refused, with nothing written.
  await guest.get('/register');
  h.clock.advance(60);
  const res = await guest.submit('/register', { username: 'late', email: 'late@example.test', password: 'a long enough password', invite: code });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().invite, 'expired');
  t.equal(await userNamed(h, 'late'), undefined, 'no account');
});

t.test('the use limit holds, and two registrations racing for the last use: one wins', async (t) => {
  const h = { ...(await testApp(t)), t };
  const staff = await h.signIn(await h.make.member({ role: 'staff' }));
  const code = await invite(h, staff, { max_uses: '2' });
  t.equal((await registerFrom(h, code, 'first')).res.statusCode, 303);

  // The last use, asked for twice at once.
  const now = h.app.now();
  const tries = await Promise.allSettled(['racer_a', 'racer_b'].map((username) =>
    registerByInvite(h.db, { username, email: `${username}@example.test`, password: 'a long enough password' }, code, testCost, now)));
  t.equal(tries.filter((r) => r.status === 'fulfilled').length, 1, 'one registration wins');
  t.equal(tries.filter((r) => r.status === 'rejected').length, 1, 'the other is refused');
  const loser = tries.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  t.match(loser.reason.fieldErrors?.invite ?? loser.reason.message, 'used as many times');
  const row = await h.db.selectFrom('invites').select(['used_count', 'max_uses']).where('code', '=', code).executeTakeFirstOrThrow();
  t.same(row, { used_count: 2, max_uses: 2 });
  const accounts = await h.db.selectFrom('users').select('username').where('username', 'in', ['racer_a', 'racer_b']).execute();
  t.equal(accounts.length, 1, 'only the winner has an account');

  // Used up: the link says so, and a registration with it is refused.
  const used = await h.make.guest().get(`/invite/${code}`);
  t.equal(used.statusCode, 410);
  const late = await registerFrom(h, code, 'fourth');
  t.equal(late.res.statusCode, 422);
  t.equal(await userNamed(h, 'fourth'), undefined);
});

t.test('an invite to a private category lets its invitee read it, in lists and notifications too', async (t) => {
  const h = { ...(await testApp(t)), t };
  const staffMember = await h.make.member({ role: 'staff' });
  const staff = await h.signIn(staffMember);
  const beta = await createCategory(h.db, { name: 'Beta testers', slug: 'beta-testers', read_role: 'staff', post_role: 'staff' });
  const thread = await createThread(h.db, { categoryId: beta.id, userId: staffMember.id, title: 'Beta build notes for testers', body: 'The first beta build is out.' });
  const list = await staff.page('/admin/invites');
  t.ok(list.querySelector(`#field-category option[value="${beta.id}"]`), 'the private category is offered');
  const code = await invite(h, staff, { category: String(beta.id) });

  const { guest, res } = await registerFrom(h, code, 'tester');
  t.equal(res.statusCode, 303);
  const tester = (await userNamed(h, 'tester'))!;
  const member = await h.db.selectFrom('category_members').selectAll().where('user_id', '=', tester.id).executeTakeFirstOrThrow();
  t.equal(member.category_id, beta.id);
  // The invitee (signed in by registering) reads the category, its thread, and finds it listed.
  t.equal((await guest.get('/c/beta-testers')).statusCode, 200);
  t.equal((await guest.get(`/t/${thread.id}/${thread.slug}`)).statusCode, 200);
  t.match((await guest.page('/')).text, 'Beta build notes for testers');
  t.match((await guest.page('/search?q=beta%20build')).text, 'Beta build notes');
  // A mention there reaches them.
  await h.db.transaction().execute(async (tx) => {
    const { createReply } = await import('../../server/threads/queries.ts');
    await createReply(tx, { threadId: thread.id, userId: staffMember.id, body: 'Thanks for testing, @tester.' });
  });
  const notes = await h.db.selectFrom('notifications').select('kind').where('user_id', '=', tester.id).execute();
  t.same(notes.map((n) => n.kind), ['mention']);
  // Another member still reads nothing of it.
  const other = await h.signIn(await h.make.member());
  t.equal((await other.get('/c/beta-testers')).statusCode, 403);
  t.notMatch((await other.page('/')).text, 'Beta build notes');

  // A category open to everyone needs no invite: it is not offered, and refused if sent.
  const open = await createCategory(h.db, { name: 'General', slug: 'general' });
  await staff.get('/admin/invites');
  const refused = await staff.submit('/admin/invites', { expires_days: '7', max_uses: '1', category: String(open.id) });
  t.equal(refused.statusCode, 422);
  t.ok(refused.page().fieldErrors().category);
});

t.test('registration by invite only, or closed: an invite still lets its invitee in', async (t) => {
  const h = { ...(await testApp(t)), t };
  const admin = await h.make.member({ role: 'admin' });
  const staff = await h.signIn(await h.make.member({ role: 'staff' }));
  const code = await invite(h, staff, { max_uses: '5' });
  const plainRegistration = async (username: string) => {
    const guest = h.make.guest();
    await guest.get('/register');
    h.clock.advance(60);
    return guest.submit('/register', { username, email: `${username}@example.test`, password: 'a long enough password' });
  };

  await changeSetting(h.db, 'registration_mode', 'invite', admin.id);
  const refused = await plainRegistration('uninvited');
  t.equal(refused.statusCode, 403);
  t.match(refused.body, 'invitation only');
  t.equal(await userNamed(h, 'uninvited'), undefined);
  t.equal((await registerFrom(h, code, 'invited_one')).res.statusCode, 303);

  await changeSetting(h.db, 'registration_mode', 'closed', admin.id);
  t.equal((await plainRegistration('uninvited2')).statusCode, 403);
  t.equal((await registerFrom(h, code, 'invited_two')).res.statusCode, 303, 'closed: an invite still works');

  await changeSetting(h.db, 'registration_mode', 'open', admin.id);
  t.equal((await plainRegistration('walkin')).statusCode, 303);
  t.same((await invitesOf(h.db, (await userNamed(h, 'walkin'))!.id)).invitedBy, null, 'nobody invited a walk-in');
});

t.test('a revoked invite stops working at once, logged', async (t) => {
  const h = { ...(await testApp(t)), t };
  const staffMember = await h.make.member({ role: 'staff' });
  const staff = await h.signIn(staffMember);
  const code = await invite(h, staff, { max_uses: '3' });
  const { id } = await h.db.selectFrom('invites').select('id').where('code', '=', code).executeTakeFirstOrThrow();
  await staff.get('/admin/invites');
  t.equal((await staff.submit(`/admin/invites/${id}/revoke`)).statusCode, 303);
  t.equal((await h.make.guest().get(`/invite/${code}`)).statusCode, 404);
  const guest = h.make.guest();
  await guest.get('/register');
  h.clock.advance(60);
  const late = await guest.submit('/register', { username: 'toolate', email: 'toolate@example.test', password: 'a long enough password', invite: code });
  t.equal(late.statusCode, 422);
  t.match(late.page().fieldErrors().invite, 'not valid');
  t.equal(late.page().querySelector('input[name=invite]')?.getAttribute('value'), code, 'the code is kept in the form sent back');
  const log = await h.db.selectFrom('staff_log').select(['action', 'target_id']).where('action', '=', 'invite.revoke').execute();
  t.same(log, [{ action: 'invite.revoke', target_id: id }]);
  t.equal((await h.make.guest().get('/invite/not-a-code')).statusCode, 404);
  t.equal((await staff.submit('/admin/invites/99999/revoke')).statusCode, 404);
});

t.test("the member's admin page says who invited them and whom they invited", async (t) => {
  const h = { ...(await testApp(t)), t };
  const staffMember = await h.make.member({ role: 'staff', username: 'inviter' });
  const staff = await h.signIn(staffMember);
  const code = await invite(h, staff, { max_uses: '2' });
  await registerFrom(h, code, 'guest_a');
  await registerFrom(h, code, 'guest_b');
  const admin = await h.signIn(await h.make.member({ role: 'admin' }));
  const a = (await userNamed(h, 'guest_a'))!;
  const theirs = await admin.page(`/admin/members/${a.id}`);
  t.match(theirs.querySelector('.invited-by')?.text ?? '', 'Invited by inviter');
  const inviters = await admin.page(`/admin/members/${staffMember.id}`);
  t.match(inviters.querySelector('.invited')?.text ?? '', 'Invited: guest_a, guest_b');
});

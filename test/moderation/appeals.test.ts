import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import t, { type Test } from 'tap';
import { appealsForQueue, decideAppeal } from '../../server/moderation/sanctions/appeals.ts';
import { sanctionRefusal } from '../../server/permissions.ts';
import type { Role } from '../../server/db/schema.ts';
import { helpers } from '../../server/views/helpers/index.ts';
import { parsePage } from '../helpers/html.ts';
import { type Member } from '../helpers/app.ts';
import { moderationSetup } from '../helpers/moderation.ts';



t.test('who may decide an appeal, read as a rule: someone who may sanction its member, never the member', async (t) => {
  const cases: [Role, Role, boolean, string | null][] = [
    ['moderator', 'member', false, null],
    ['moderator', 'moderator', false, 'below your role'],
    ['moderator', 'moderator', true, 'your own appeal'],
    ['moderator', 'staff', false, 'below your role'],
    ['staff', 'moderator', false, null],
    ['staff', 'staff', true, 'your own appeal'],
    ['admin', 'staff', false, null],
    ['admin', 'admin', false, 'below your role'],
    ['admin', 'admin', true, 'your own appeal'],
    ['member', 'member', false, 'below your role'],
  ];
  for (const [decider, member, self, refused] of cases) {
    const viewer = { id: 1, username: 'decider', role: decider, rank: 2 };
    const why = sanctionRefusal(viewer, 'decide appeal', { id: self ? 1 : 2, role: member })?.message ?? null;
    if (refused === null) t.equal(why, null, `${decider} decides the appeal of ${self ? 'themselves' : `a ${member}`}`);
    else t.match(why ?? '', refused, `${decider} may not decide the appeal of ${self ? 'themselves' : `a ${member}`}`);
  }
});

async function setup(t: Test) {
  const env = await moderationSetup(t);
  const { mod } = env;
  async function sanction(who: Member, fields: Record<string, string>) {
    await mod.page(`/u/${who.username}/sanction`);
    const res = await mod.submit(`/u/${who.username}/sanction`, fields);
    t.equal(res.statusCode, 303, `${fields.kind} applied`);
    return env.db.selectFrom('sanctions').select(['id']).where('user_id', '=', who.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
  }
  return { ...env, sanction };
}

t.test('a silenced member appeals once; the appeal lands in the queue', async (t) => {
  const { db, signIn, member, sanction } = await setup(t);
  const s = await sanction(member, { kind: 'silence', days: '7', reason: 'Insults.' });
  const agent = await signIn(member);
  const form = await agent.page(`/sanctions/${s.id}/appeal`);
  t.match(form.h1(), /Appeal your silence/);
  t.match(form.querySelector('.sanction-reason')?.text ?? '', /Insults\./);

  const empty = await agent.submit(`/sanctions/${s.id}/appeal`, { body: '  ' });
  t.equal(empty.statusCode, 422, 'an appeal says something');
  t.ok(empty.page().fieldErrors().body);

  const res = await agent.submit(`/sanctions/${s.id}/appeal`, { body: 'It was a <b>joke</b> between friends.' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/sanctions');
  const appeal = await db.selectFrom('appeals').selectAll().where('sanction_id', '=', s.id).executeTakeFirstOrThrow();
  t.equal(appeal.user_id, member.id);
  t.equal(appeal.body, 'It was a <b>joke</b> between friends.');
  const items = await db.selectFrom('queue_items').selectAll().where('kind', '=', 'appeal').execute();
  t.equal(items.length, 1, 'one queue item');
  t.equal(items[0].appeal_id, appeal.id);
  t.equal(items[0].status, 'open');

  const again = await agent.submit(`/sanctions/${s.id}/appeal`, { body: 'Please, again.' });
  t.equal(again.statusCode, 409, 'a second appeal is refused');
  t.match(again.page().messages().join(' '), /already appealed/);
  t.equal((await db.selectFrom('appeals').select('id').execute()).length, 1);
  t.equal((await db.selectFrom('queue_items').select('id').execute()).length, 1);
  const list = await agent.page('/sanctions');
  t.match(list.querySelector('.sanction-appeal')?.text ?? '', /waiting for a moderator/);
  t.equal(list.querySelector('a[href$="/appeal"]'), null, 'no second appeal link');
});

t.test('a suspended member appeals from the page that refuses their sign-in, without a session', async (t) => {
  const { make, db, member, sanction, advance } = await setup(t);
  const s = await sanction(member, { kind: 'suspend', days: '30', reason: 'Spam links.' });
  const visitor = make.guest();
  await visitor.get('/login');
  const refused = await visitor.submit('/login', { login: member.username, password: member.password });
  const token = refused.page().querySelector('form.appeal-form input[name=token]')?.getAttribute('value');
  t.ok(token);
  const action = refused.page().querySelector('form.appeal-form')?.getAttribute('action');
  t.equal(action, `/sanctions/${s.id}/appeal`);

  t.equal((await visitor.submit(action!, { body: 'Not spam.', token: token!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).statusCode, 401, 'a forged token is refused');
  t.equal((await visitor.submit(action!, { body: 'Not spam.' })).statusCode, 401, 'no token, no session: refused');
  const empty = await visitor.submit(action!, { body: '', token: token! });
  t.equal(empty.statusCode, 422);
  t.equal(empty.page().querySelector('input[name=token]')?.getAttribute('value'), token, 'the token is kept on the form');

  const res = await visitor.submit(action!, { body: 'These were links to our own docs.', token: token! });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login');
  t.equal((await db.selectFrom('queue_items').select(['kind']).execute()).map((i) => i.kind).join(), 'appeal');
  t.equal(visitor.session(), undefined, 'still not signed in');

  await visitor.get('/login');
  const later = await visitor.submit('/login', { login: member.username, password: member.password });
  t.equal(later.statusCode, 403);
  t.equal(later.page().querySelector('form.appeal-form'), null, 'no second appeal form');
  t.match(later.page().querySelector('.sanction-appeal')?.text ?? '', /waiting/);

  // The token is short-lived, and names one sanction only.
  const other = await make.member({ rank: 2 });
  const s2 = await sanction(other, { kind: 'suspend', days: '3', reason: 'Spam.' });
  t.equal((await visitor.submit(`/sanctions/${s2.id}/appeal`, { body: 'Me too.', token: token! })).statusCode, 401, 'not for another sanction');
  await visitor.get('/login');
  const otherToken = (await visitor.submit('/login', { login: other.username, password: other.password })).page().querySelector('input[name=token]')!.getAttribute('value')!;
  advance(3 * 60 * 60 * 1000);
  t.equal((await visitor.submit(`/sanctions/${s2.id}/appeal`, { body: 'Late.', token: otherToken })).statusCode, 401, 'an expired token is refused');
});

t.test('nobody appeals a sanction that is not theirs', async (t) => {
  const { make, signIn, member, sanction } = await setup(t);
  const s = await sanction(member, { kind: 'warn', reason: 'Mind the tone.' });
  const stranger = await signIn(await make.member());
  t.equal((await stranger.get(`/sanctions/${s.id}/appeal`)).statusCode, 403);
  await stranger.page('/');
  t.equal((await stranger.submit(`/sanctions/${s.id}/appeal`, { body: 'Mine now.' })).statusCode, 403);
  t.equal((await make.guest().get(`/sanctions/${s.id}/appeal`)).statusCode, 401);
  t.equal((await stranger.get('/sanctions/99999/appeal')).statusCode, 404);
});

t.test('decideAppeal: lifting ends the sanction now and tells the member; upholding keeps it', async (t) => {
  const { db, signIn, make, member, moderator, sanction, now } = await setup(t);
  const thread = await make.thread();
  const s = await sanction(member, { kind: 'silence', days: '30', reason: 'Insults.' });
  const agent = await signIn(member);
  await agent.page(`/sanctions/${s.id}/appeal`);
  await agent.submit(`/sanctions/${s.id}/appeal`, { body: 'I apologised to them.' });
  const appeal = await db.selectFrom('appeals').select('id').executeTakeFirstOrThrow();

  await db.transaction().execute((tx) => decideAppeal(tx, { appealId: appeal.id, outcome: 'lift', by: moderator.id, note: 'Apology accepted.', at: now() }));
  const lifted = await db.selectFrom('sanctions').select(['lifted_at', 'lifted_by']).where('id', '=', s.id).executeTakeFirstOrThrow();
  t.same(lifted, { lifted_at: now(), lifted_by: moderator.id });
  t.equal((await db.selectFrom('users').select('silenced_until').where('id', '=', member.id).executeTakeFirstOrThrow()).silenced_until, null);
  const decided = await db.selectFrom('appeals').select(['outcome', 'decided_by', 'decided_at']).where('id', '=', appeal.id).executeTakeFirstOrThrow();
  t.same(decided, { outcome: 'lifted', decided_by: moderator.id, decided_at: now() });
  const notice = await db.selectFrom('notifications').select('message').where('user_id', '=', member.id).where('kind', '=', 'appeal_outcome').execute();
  t.equal(notice.length, 1);
  t.match(notice[0].message, /accepted.*lifted.*Apology accepted\./);
  const log = await db.selectFrom('staff_log').selectAll().where('action', '=', 'appeal.lift').execute();
  t.equal(log.length, 1);
  t.equal(log[0].target_type, 'appeal');
  t.equal(log[0].target_id, appeal.id);
  t.equal(log[0].reason, 'Apology accepted.');
  await agent.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: 'Thank you.' })).statusCode, 303, 'the member may post again');

  const twice = await db
    .transaction()
    .execute((tx) => decideAppeal(tx, { appealId: appeal.id, outcome: 'uphold', by: moderator.id, note: '', at: now() }))
    .then(() => null, (err: { statusCode?: number }) => err);
  t.equal(twice?.statusCode, 409, 'an appeal is decided once');

  const other = await make.member({ rank: 2 });
  const s2 = await sanction(other, { kind: 'suspend', days: '3', reason: 'Spam.' });
  const visitor = make.guest();
  await visitor.get('/login');
  const token = (await visitor.submit('/login', { login: other.username, password: other.password })).page().querySelector('input[name=token]')!.getAttribute('value')!;
  await visitor.submit(`/sanctions/${s2.id}/appeal`, { body: 'Not me.', token });
  const appeal2 = await db.selectFrom('appeals').select('id').where('sanction_id', '=', s2.id).executeTakeFirstOrThrow();
  await db.transaction().execute((tx) => decideAppeal(tx, { appealId: appeal2.id, outcome: 'uphold', by: moderator.id, note: '', at: now() }));
  t.equal((await db.selectFrom('sanctions').select('lifted_at').where('id', '=', s2.id).executeTakeFirstOrThrow()).lifted_at, null, 'upheld: it stays');
  t.equal((await db.selectFrom('appeals').select('outcome').where('id', '=', appeal2.id).executeTakeFirstOrThrow()).outcome, 'upheld');
  const upheld = await db.selectFrom('notifications').select('message').where('user_id', '=', other.id).where('kind', '=', 'appeal_outcome').executeTakeFirstOrThrow();
  t.match(upheld.message, /stands until .* UTC/);
  t.equal((await db.selectFrom('staff_log').select('id').where('action', '=', 'appeal.uphold').execute()).length, 1);
  await visitor.get('/login');
  const still = await visitor.submit('/login', { login: other.username, password: other.password });
  t.equal(still.statusCode, 403);
  t.match(still.page().querySelector('.sanction-appeal')?.text ?? '', /upheld/);

});

t.test('an appeal in the queue renders from its own context, the member\'s text inert', async (t) => {
  const { db, signIn, member, sanction } = await setup(t);
  const s = await sanction(member, { kind: 'silence', days: '1', reason: 'Spam <i>links</i>.' });
  const agent = await signIn(member);
  await agent.page(`/sanctions/${s.id}/appeal`);
  await agent.submit(`/sanctions/${s.id}/appeal`, { body: '<script>alert(1)</script> I am sorry.' });
  const appeal = await db.selectFrom('appeals').select('id').executeTakeFirstOrThrow();
  const [row] = await appealsForQueue(db, [appeal.id]);
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
  const html = hbs.compile(readFileSync('views/partials/moderation/appeal.hbs', 'utf8'))(row);
  const page = parsePage(html);
  t.equal(page.querySelector('.queue-appeal')?.getAttribute('data-appeal-id'), String(appeal.id));
  t.equal(page.querySelector('.sanction-kind')?.text, 'silence');
  t.match(page.querySelector('.sanction-end')?.text ?? '', /^until .* UTC$/);
  t.match(page.querySelector('.queue-appeal-reason')?.text ?? '', /Spam <i>links<\/i>\./);
  t.equal(page.querySelector('.queue-appeal-body')?.text, '<script>alert(1)</script> I am sorry.');
  t.equal(page.querySelector('script'), null, 'no script element');
  t.ok(page.querySelector(`a[href="/u/${member.username}"]`));
  t.same(await appealsForQueue(db, []), []);
});


t.test('a sanctioned moderator cannot lift their own sanction through its appeal, nor can a peer; staff can', async (t) => {
  const { db, make, signIn, moderator, mod } = await setup(t);
  const thread = await make.thread();
  const staff = await signIn(await make.member({ role: 'staff' }));
  const peer = await signIn(await make.member({ role: 'moderator' }));
  await staff.page(`/u/${moderator.username}/sanction`);
  t.equal((await staff.submit(`/u/${moderator.username}/sanction`, { kind: 'silence', days: '7', reason: 'Rude to members.' })).statusCode, 303, 'staff silence a moderator');
  const s = await db.selectFrom('sanctions').select('id').where('user_id', '=', moderator.id).executeTakeFirstOrThrow();
  await mod.page(`/sanctions/${s.id}/appeal`);
  t.equal((await mod.submit(`/sanctions/${s.id}/appeal`, { body: 'I was provoked.' })).statusCode, 303, 'the moderator appeals');
  const { id } = await db.selectFrom('queue_items').select('id').where('kind', '=', 'appeal').executeTakeFirstOrThrow();

  const unchanged = async (who: string) => {
    t.match(await db.selectFrom('queue_items').select(['status', 'resolved_by', 'claimed_by']).where('id', '=', id).executeTakeFirstOrThrow(), { status: 'open', resolved_by: null, claimed_by: null }, `${who}: the item is still open`);
    t.equal((await db.selectFrom('sanctions').select('lifted_at').where('id', '=', s.id).executeTakeFirstOrThrow()).lifted_at, null, `${who}: the silence stands`);
    t.equal((await db.selectFrom('appeals').select('outcome').executeTakeFirstOrThrow()).outcome, null, `${who}: the appeal is undecided`);
    t.same((await db.selectFrom('staff_log').select('action').where('action', 'not in', ['user.silence']).execute()), [], `${who}: nothing logged`);
  };

  for (const [who, agent, why] of [['the appellant', mod, /your own appeal/], ['a peer', peer, /below your role/]] as const) {
    const queue = await agent.page('/mod?kind=appeal');
    const item = queue.querySelector(`#item-${id}`);
    t.ok(item, `${who} sees the appeal in the queue`);
    t.same(item?.querySelectorAll('.queue-buttons button').length, 0, `${who} is offered no lift or uphold`);
    t.notOk(item?.querySelector(`form[action="/mod/items/${id}/claim"]`), 'nor a claim');
    t.match(item?.querySelector('.queue-undecidable')?.text ?? '', why, 'and is told why');
    t.equal(queue.querySelector('#queue-count')?.text, '', 'it is not counted among the items open to them');
    for (const action of ['lift', 'uphold']) {
      const res = await agent.submit(`/mod/items/${id}`, { action, back: '/mod' });
      t.equal(res.statusCode, 403, `${who} may not ${action} it`);
      t.match(res.page().messages().join(' '), why);
      await agent.get('/mod');
    }
    const htmx = await agent.submit(`/mod/items/${id}`, [['action', 'lift'], ['back', '/mod'], ['shown', String(id)]], { htmx: true });
    t.match(htmx.page().querySelector('.queue-item [role=alert]')?.text ?? '', why, 'with htmx the refusal shows in place');
    t.equal((await agent.submit(`/mod/items/${id}/claim`, { back: '/mod' })).statusCode, 403, `${who} may not claim it`);
    await agent.get('/');
    t.equal((await agent.submit(`/sanctions/${s.id}/lift`, {})).statusCode, 403, `${who} may not lift it early`);
    await unchanged(who);
  }
  await mod.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await mod.submit(`/t/${thread.id}/replies`, { body: 'Still here, and posting.' })).statusCode, 403, 'the moderator is still silenced');

  const queue = await staff.page('/mod?kind=appeal');
  t.same(queue.querySelectorAll(`#item-${id} .queue-buttons button`).map((b) => b.getAttribute('value')), ['uphold', 'lift'], 'staff are offered the decision');
  t.equal(queue.querySelector('#queue-count')?.text, '1', 'and count it');
  t.equal((await staff.submit(`/mod/items/${id}`, { action: 'lift', note: 'Provocation noted.', back: '/mod' })).statusCode, 303, 'staff lift it');
  t.ok((await db.selectFrom('sanctions').select('lifted_at').where('id', '=', s.id).executeTakeFirstOrThrow()).lifted_at);
  await mod.page(`/t/${thread.id}/${thread.slug}`);
  t.equal((await mod.submit(`/t/${thread.id}/replies`, { body: 'Back, with thanks.' })).statusCode, 303, 'the moderator may post again');
});

t.test('decideAppeal refuses a decider who may not sanction the member, or is the appellant', async (t) => {
  const { db, make, signIn, moderator, member, sanction, now } = await setup(t);
  const s = await sanction(member, { kind: 'silence', days: '3', reason: 'Insults.' });
  const agent = await signIn(member);
  await agent.page(`/sanctions/${s.id}/appeal`);
  await agent.submit(`/sanctions/${s.id}/appeal`, { body: 'Sorry.' });
  const appeal = await db.selectFrom('appeals').select('id').executeTakeFirstOrThrow();
  const peerOfMember = await make.member({ rank: 4 });
  for (const by of [member.id, peerOfMember.id]) {
    const err = await db
      .transaction()
      .execute((tx) => decideAppeal(tx, { appealId: appeal.id, outcome: 'lift', by, note: '', at: now() }))
      .then(() => null, (e: { statusCode?: number }) => e);
    t.equal(err?.statusCode, 403, by === member.id ? 'not the appellant' : 'not a member without the sanctioning role');
  }
  t.equal((await db.selectFrom('sanctions').select('lifted_at').where('id', '=', s.id).executeTakeFirstOrThrow()).lifted_at, null);
  await db.transaction().execute((tx) => decideAppeal(tx, { appealId: appeal.id, outcome: 'lift', by: moderator.id, note: '', at: now() }));
  t.ok((await db.selectFrom('sanctions').select('lifted_at').where('id', '=', s.id).executeTakeFirstOrThrow()).lifted_at, 'a moderator decides a member\'s appeal');
});

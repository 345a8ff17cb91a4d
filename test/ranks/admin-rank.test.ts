// An admin sets a member's rank by hand on /admin: kept (the review leaves it), logged, told to
// the member; "by the rules" hands it back to the review.
import t from 'tap';
import { reviewRanks } from '../../server/ranks/engine.ts';
import { testApp } from '../helpers/app.ts';

t.test('a rank set by hand is kept, logged and told; by the rules it moves again', async (t) => {
  const { app, db, make, signIn } = await testApp(t);
  const admin = await make.member({ role: 'admin', username: 'boss' });
  const member = await make.member({ username: 'regular', rank: 1 });
  const agent = await signIn(admin);
  const page = await agent.page('/admin');
  t.ok(page.querySelector(`select#rank-${member.id} option[value=rules][selected]`), 'an earned rank shows as by the rules');

  t.equal((await agent.submit(`/admin/users/${member.id}/rank`, { rank: '3' })).statusCode, 303);
  const set = await db.selectFrom('users').select(['rank', 'rank_locked', 'rank_changed_at']).where('id', '=', member.id).executeTakeFirstOrThrow();
  t.match(set, { rank: 3, rank_locked: true }, 'set to Advocate and kept');
  t.ok(set.rank_changed_at, 'dated');
  const log = await db.selectFrom('staff_log').select(['action', 'before', 'after', 'actor_id']).where('action', '=', 'user.rank').execute();
  t.same(log, [{ action: 'user.rank', before: { rank: 1, locked: false }, after: { rank: 3, locked: true }, actor_id: admin.id }], 'logged with before and after');
  const told = await db.selectFrom('notifications').select(['message', 'link']).where('user_id', '=', member.id).where('kind', '=', 'rank').execute();
  t.same(told, [{ message: 'Staff set your rank to Advocate.', link: '/u/regular' }], 'the member is told');
  t.ok((await agent.page('/admin')).querySelector(`select#rank-${member.id} option[value="3"][selected]`), 'the form shows it kept');

  // Far past the grace period and with no facts, the review leaves a kept rank alone.
  await db.updateTable('users').set({ rank_changed_at: new Date(Date.now() - 400 * 86_400_000) }).where('id', '=', member.id).execute();
  await reviewRanks(db, [member.id], app.now(), app.log);
  t.equal((await db.selectFrom('users').select('rank').where('id', '=', member.id).executeTakeFirstOrThrow()).rank, 3, 'kept through a review');

  t.equal((await agent.submit(`/admin/users/${member.id}/rank`, { rank: 'rules' })).statusCode, 303);
  t.match(await db.selectFrom('users').select(['rank', 'rank_locked']).where('id', '=', member.id).executeTakeFirstOrThrow(), { rank: 3, rank_locked: false }, 'handed back: the rank as it is, unlocked');
  await reviewRanks(db, [member.id], app.now(), app.log);
  t.equal((await db.selectFrom('users').select('rank').where('id', '=', member.id).executeTakeFirstOrThrow()).rank, 2, 'and the next review drops an Advocate below the bar after the grace period');

  t.equal((await agent.submit(`/admin/users/${member.id}/rank`, { rank: '9' })).statusCode, 422, 'a rank that does not exist is refused');
  const other = await signIn(await make.member({ role: 'moderator' }));
  t.equal((await other.submit(`/admin/users/${member.id}/rank`, { rank: '4' })).statusCode, 403, 'only admins set ranks');
});

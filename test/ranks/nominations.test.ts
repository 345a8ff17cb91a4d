// Rank 4 (Ambassador) by nomination, end to end through the forms: staff nominate an Advocate from
// their profile, the member is told and answers on their nomination page, staff may withdraw an
// open one; each step notifies and is logged. Two answers at once end with one.
import t from 'tap';
import { testApp } from '../helpers/app.ts';

async function setup(t: Parameters<typeof testApp>[0]) {
  const env = await testApp(t);
  const { db, make } = env;
  const staff = await make.member({ role: 'staff', username: 'stella' });
  const advocate = await make.member({ rank: 3, username: 'ada' });
  const nominations = (userId: number) =>
    db.selectFrom('rank_nominations').select(['id', 'answer', 'answered_at', 'note', 'nominated_by']).where('user_id', '=', userId).orderBy('id').execute();
  const notices = (userId: number) =>
    db.selectFrom('notifications').select(['kind', 'message', 'link']).where('user_id', '=', userId).orderBy('id').execute();
  const logged = (action: string) => db.selectFrom('staff_log').select(['actor_id', 'target_id', 'before', 'after']).where('action', '=', action).execute();
  const member = (id: number) => db.selectFrom('users').select(['rank', 'rank_changed_at', 'rank_locked']).where('id', '=', id).executeTakeFirstOrThrow();
  return { ...env, staff, advocate, nominations, notices, logged, member };
}

t.test('staff nominate an Advocate from the profile; the member accepts and is an Ambassador', async (t) => {
  const { signIn, staff, advocate, nominations, notices, logged, member, make } = await setup(t);
  const office = await signIn(staff);
  const profile = await office.page(`/u/${advocate.username}`);
  t.ok(profile.querySelector('form.nominate-form[action="/u/ada/nominate"]'), 'the form is on the profile for staff');
  const other = await signIn(await make.member({ rank: 3 }));
  t.notOk((await other.page(`/u/${advocate.username}`)).querySelector('.nomination-panel'), 'not for members');

  const done = await office.submit(`/u/${advocate.username}/nominate`, { note: 'Your answers on billing are the best we have.' });
  t.equal(done.statusCode, 303);
  const [open] = await nominations(advocate.id);
  t.match(open, { answer: null, note: 'Your answers on billing are the best we have.', nominated_by: staff.id });
  const told = (await notices(advocate.id)).at(-1);
  t.match(told, { kind: 'nomination', link: '/account/nomination' });
  t.equal((await logged('user.nominate')).length, 1, 'logged');
  // With one open, the profile offers to withdraw, and another nomination is refused.
  t.ok((await office.page(`/u/${advocate.username}`)).querySelector(`form[action="/nominations/${open.id}/withdraw"]`));
  const again = await office.submit(`/u/${advocate.username}/nominate`, { note: 'Once more' });
  t.equal(again.statusCode, 409);
  t.match(again.page().messages().join(' '), /open nomination already/);
  t.equal((await nominations(advocate.id)).length, 1);

  // The member answers on their own page, reached from the notification.
  const ada = await signIn(advocate);
  const page = await ada.page('/account/nomination');
  t.match(page.querySelector('.nomination-open')?.text, /nominated for rank 4 \(Ambassador\) by stella/);
  t.equal(page.querySelector('.nomination-note')?.text, 'Your answers on billing are the best we have.');
  const accepted = await ada.submit('/account/nomination', { nomination: String(open.id), answer: 'accept' });
  t.equal(accepted.statusCode, 303);
  const now = await member(advocate.id);
  t.equal(now.rank, 4, 'rank 4');
  t.ok(now.rank_changed_at, 'rank_changed_at is set');
  t.equal(now.rank_locked, false, 'not locked: an earned rank');
  t.match((await nominations(advocate.id))[0], { answer: 'accepted' });
  t.ok((await nominations(advocate.id))[0].answered_at);
  t.match((await notices(advocate.id)).at(-1), { kind: 'rank', link: '/u/ada' });
  t.match((await notices(staff.id)).at(-1), { kind: 'nomination', message: /ada accepted/ });
  const [line] = await logged('nomination.accept');
  t.match(line, { actor_id: advocate.id, target_id: advocate.id, after: { rank: 4, answer: 'accepted' } });
  t.equal((await ada.page(`/u/${advocate.username}`)).querySelector('.profile-meta .rank')?.text, 'Ambassador');
  // Answered: the page says there is nothing open, and the form sent again changes nothing.
  t.ok((await ada.page('/account/nomination')).querySelector('.no-nomination'));
  t.equal((await ada.submit('/account/nomination', { nomination: String(open.id), answer: 'decline' })).statusCode, 409);
  t.match((await nominations(advocate.id))[0], { answer: 'accepted' });
  // An Ambassador is not nominated again.
  const refused = await office.submit(`/u/${advocate.username}/nominate`, { note: '' });
  t.equal(refused.statusCode, 409);
  t.match(refused.page().messages().join(' '), /an Ambassador already/);
});

t.test('below rank 3 is refused with a clear message; members may not nominate', async (t) => {
  const { signIn, staff, make, nominations } = await setup(t);
  const contributor = await make.member({ rank: 2, username: 'cody' });
  const office = await signIn(staff);
  const profile = await office.page('/u/cody');
  t.notOk(profile.querySelector('form.nominate-form'), 'no form for a Contributor');
  t.match(profile.querySelector('.nomination-refusal')?.text, /only an Advocate \(rank 3\)/);
  const res = await office.submit('/u/cody/nominate', { note: 'Keep this note' });
  t.equal(res.statusCode, 409);
  t.match(res.page().messages().join(' '), /cody is rank 2 \(Contributor\): only an Advocate \(rank 3\) can be nominated/);
  t.equal((await nominations(contributor.id)).length, 0);
  // A member may not nominate at all.
  const peer = await signIn(await make.member({ rank: 4 }));
  await peer.get('/u/cody');
  t.equal((await peer.submit('/u/ada/nominate', { note: '' })).statusCode, 403);
  t.equal((await peer.get('/u/ada/nominate')).statusCode, 403);
});

t.test('the member declines; staff withdraw another; each notified and logged', async (t) => {
  const { signIn, staff, advocate, nominations, notices, logged, member } = await setup(t);
  const office = await signIn(staff);
  await office.get(`/u/${advocate.username}`);
  await office.submit(`/u/${advocate.username}/nominate`, { note: '' });
  const ada = await signIn(advocate);
  await ada.get('/account/nomination');
  const [first] = await nominations(advocate.id);
  t.equal((await ada.submit('/account/nomination', { nomination: String(first.id), answer: 'decline' })).statusCode, 303);
  t.equal((await member(advocate.id)).rank, 3, 'still an Advocate');
  t.match((await nominations(advocate.id))[0], { answer: 'declined' });
  t.match((await notices(staff.id)).at(-1), { kind: 'nomination', message: /ada declined/ });
  t.equal((await logged('nomination.decline')).length, 1);

  // Nominated again, and withdrawn before an answer.
  await office.get(`/u/${advocate.username}`);
  t.equal((await office.submit(`/u/${advocate.username}/nominate`, { note: 'Second time' })).statusCode, 303);
  const second = (await nominations(advocate.id))[1];
  await office.get(`/u/${advocate.username}`);
  t.equal((await office.submit(`/nominations/${second.id}/withdraw`)).statusCode, 303);
  t.match((await nominations(advocate.id))[1], { answer: 'withdrawn' });
  t.match((await notices(advocate.id)).at(-1), { kind: 'nomination', message: /withdrawn/ });
  t.match((await logged('nomination.withdraw'))[0], { actor_id: staff.id, target_id: advocate.id });
  // Withdrawn: the member's form (drawn before) answers nothing.
  t.equal((await ada.submit('/account/nomination', { nomination: String(second.id), answer: 'accept' })).statusCode, 409);
  t.equal((await member(advocate.id)).rank, 3);
  // A member cannot withdraw, nor answer someone else's.
  t.equal((await ada.submit(`/nominations/${second.id}/withdraw`)).statusCode, 403);
});

t.test('accepting twice at once, and accepting while staff withdraw, end with one answer', async (t) => {
  const { signIn, staff, make, db, nominations, logged, member } = await setup(t);
  const office = await signIn(staff);
  for (const round of ['accept twice', 'accept against a withdraw']) {
    const who = await make.member({ rank: 3 });
    await office.get(`/u/${who.username}`);
    t.equal((await office.submit(`/u/${who.username}/nominate`, { note: round })).statusCode, 303);
    const [open] = await nominations(who.id);
    const [tab1, tab2] = [await signIn(who), await signIn(who)];
    await tab1.get('/account/nomination');
    await tab2.get('/account/nomination');
    await office.get(`/u/${who.username}`);
    const form = { nomination: String(open.id), answer: 'accept' };
    const answers = await Promise.all(
      round === 'accept twice'
        ? [tab1.submit('/account/nomination', form), tab2.submit('/account/nomination', form)]
        : [tab1.submit('/account/nomination', form), office.submit(`/nominations/${open.id}/withdraw`)],
    );
    const codes = answers.map((r) => r.statusCode).sort();
    t.same(codes, [303, 409], `${round}: one goes through, the other hears it was answered`);
    const rows = await nominations(who.id);
    t.equal(rows.length, 1);
    const ended = rows[0].answer;
    t.ok(ended === 'accepted' || ended === 'withdrawn', `${round}: one answer (${ended})`);
    t.equal((await member(who.id)).rank, ended === 'accepted' ? 4 : 3, 'the rank follows that answer');
    const lines = await db.selectFrom('staff_log').select('action').where('target_id', '=', who.id).where('action', 'like', 'nomination.%').execute();
    t.equal(lines.length, 1, `${round}: one log line for the answer`);
  }
  t.ok((await logged('user.nominate')).length >= 2);
});

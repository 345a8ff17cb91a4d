import t from 'tap';
import { parsePoll, showResults } from '../../server/polls/rules.ts';
import { testApp } from '../helpers/app.ts';

const now = new Date('2026-11-24T12:00:00Z');

t.test('poll rules', async (t) => {
  t.same(parsePoll({ poll_options: '' }, 'Title', now), { poll: null, errors: {} });
  const ok = parsePoll({ poll_options: 'Red\n Blue \n\nGreen', poll_multiple: 'on', poll_closes_at: '2026-12-01T10:00' }, 'Favourite?', now);
  t.same(ok.poll?.options, ['Red', 'Blue', 'Green']);
  t.equal(ok.poll?.question, 'Favourite?');
  t.equal(ok.poll?.multiple, true);
  t.same(ok.errors, {});
  t.match(parsePoll({ poll_options: 'Only one' }, 'Q', now).errors.poll_options, /2 to 20/);
  t.match(parsePoll({ poll_options: 'a\nA' }, 'Q', now).errors.poll_options, /different/);
  t.match(parsePoll({ poll_options: 'a\nb', poll_closes_at: '2020-01-01T00:00' }, 'Q', now).errors.poll_closes_at, /future/);
  t.match(parsePoll({ poll_options: 'a\nb', poll_closes_at: 'soon' }, 'Q', now).errors.poll_closes_at, /date and time/);
  t.equal(showResults({ closes_at: null }, false, now), false);
  t.equal(showResults({ closes_at: null }, true, now), true);
  t.equal(showResults({ closes_at: new Date('2026-11-01') }, false, now), true);
});

async function pollThread(t: Parameters<typeof testApp>[0], extra: Record<string, string> = {}) {
  const fixture = await testApp(t);
  await fixture.make.category({ slug: 'q' });
  const author = await fixture.signIn(await fixture.make.member());
  await author.page('/c/q/new');
  const res = await author.submit('/c/q/threads', { title: 'Which plan do you use?', body: 'Curious.', poll_options: 'Free\nTeam\nEnterprise', ...extra });
  t.equal(res.statusCode, 303);
  const url = res.headers.location as string;
  const poll = await fixture.db.selectFrom('polls').select('id').executeTakeFirstOrThrow();
  const options = await fixture.db.selectFrom('poll_options').select(['id', 'label']).orderBy('position').execute();
  return { ...fixture, url, pollId: poll.id, options };
}

t.test('a single-choice poll: vote once, then see results; a second ballot is refused', async (t) => {
  const { url, pollId, options, make, signIn, db } = await pollThread(t);
  const guestView = await make.guest().page(url);
  t.equal(guestView.querySelector('#poll-question')?.text, 'Which plan do you use?');
  t.equal(guestView.querySelector('.poll-results'), null, 'no results before voting');
  t.equal(guestView.querySelector('.poll-form'), null, 'and no ballot for guests');

  const voter = await signIn(await make.member());
  let page = await voter.page(url);
  t.equal(page.querySelectorAll('.poll-form input[type=radio]').length, 3);
  let res = await voter.submit(`/polls/${pollId}/vote`, { option: String(options[1].id) });
  t.equal(res.statusCode, 303);
  page = await voter.page(`${url}?page=1`);
  t.equal(page.querySelector('.poll-form'), null);
  t.match(page.querySelector('.poll-result.chosen')?.text, /Team/);
  t.match(page.querySelector('.poll-result.chosen .poll-percent')?.text, /100% · 1 vote/);

  res = await voter.submit(`/polls/${pollId}/vote`, { option: String(options[0].id) });
  t.equal(res.statusCode, 409);
  t.match(res.page().messages().join(' '), /already voted/);

  const other = await signIn(await make.member());
  await other.page(url);
  res = await other.submit(`/polls/${pollId}/vote`, { option: String(options[0].id) }, { htmx: true });
  t.equal(res.statusCode, 200);
  t.match(res.page().querySelector('.poll-result.chosen')?.text, /Free/, 'htmx gets the poll fragment with results');
  t.notMatch(res.body, /<html/);
  const counts = await db.selectFrom('poll_options').select('vote_count').orderBy('position').execute();
  t.same(counts.map((c) => c.vote_count), [1, 1, 0]);
});

t.test('bad ballots write nothing; a closed poll refuses ballots and shows results to all', async (t) => {
  const { url, pollId, options, make, signIn, db } = await pollThread(t);
  const voter = await signIn(await make.member());
  await voter.page(url);
  let res = await voter.submit(`/polls/${pollId}/vote`, {});
  t.equal(res.statusCode, 422, 'no choice');
  res = await voter.submit(`/polls/${pollId}/vote`, [['option', String(options[0].id)], ['option', String(options[1].id)]]);
  t.equal(res.statusCode, 422, 'two choices in a single-choice poll');
  t.equal((await db.selectFrom('poll_ballots').select('user_id').execute()).length, 0, 'nothing written');

  await db.updateTable('polls').set({ closes_at: new Date(Date.now() - 1000) }).where('id', '=', pollId).execute();
  const late = await signIn(await make.member());
  const page = await late.page(url);
  t.equal(page.querySelector('.poll-form'), null);
  t.ok(page.querySelector('.poll-results'), 'results for everyone once closed');
  res = await late.submit(`/polls/${pollId}/vote`, { option: String(options[0].id) });
  t.equal(res.statusCode, 409);
  t.match(res.page().messages().join(' '), /closed/);
  t.ok((await make.guest().page(url)).querySelector('.poll-results'), 'guests too');
});

t.test('a multiple-choice poll takes several options; a bad poll is refused with the form kept', async (t) => {
  const { url, pollId, options, make, signIn, db } = await pollThread(t, { poll_multiple: 'on' });
  const voter = await signIn(await make.member());
  await voter.page(url);
  const res0 = await voter.submit(`/polls/${pollId}/vote`, [['option', String(options[0].id)], ['option', String(options[2].id)]]);
  t.equal(res0.statusCode, 303);
  const counts = await db.selectFrom('poll_options').select('vote_count').orderBy('position').execute();
  t.same(counts.map((c) => c.vote_count), [1, 0, 1]);

  const author = await signIn(await make.member());
  await author.page('/c/q/new');
  const res = await author.submit('/c/q/threads', { title: 'Another poll here', body: 'Body', poll_options: 'Only one option' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().poll_options, /2 to 20/);
  t.equal(res.page().querySelector('#field-poll_options')?.text, 'Only one option');
  t.equal((await db.selectFrom('threads').select('id').execute()).length, 1, 'nothing written');
});

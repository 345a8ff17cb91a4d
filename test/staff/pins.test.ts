import t from 'tap';
import { createThread } from '../../server/threads/queries.ts';
import { testApp } from '../helpers/app.ts';

const titles = async (page: Promise<{ querySelectorAll(s: string): { text: string }[] }>) => (await page).querySelectorAll('.thread-title').map((a) => a.text);

t.test('staff order the pins; global pins lead the home page and every category, then the category\'s own', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const news = await make.category({ slug: 'news' });
  const help = await make.category({ slug: 'help' });
  const author = await make.member();
  const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
  const thread = (categoryId: number, title: string, m: number) => createThread(db, { categoryId, userId: author.id, title, body: 'x', at: at(m) });
  const g1 = await thread(news.id, 'Global one', 0);
  const g2 = await thread(help.id, 'Global two', 1);
  const local = await thread(help.id, 'Help pin', 2);
  await thread(help.id, 'Help chatter', 3);
  await thread(news.id, 'News chatter', 4);

  const staffMember = await make.member({ role: 'staff' });
  const staff = await signIn(staffMember);
  await staff.get('/');
  for (const [id, scope] of [[g1.id, 'global'], [g2.id, 'global'], [local.id, 'category']] as const) {
    t.equal((await staff.submit(`/t/${id}/pin`, { scope, until: '' })).statusCode, 303);
  }

  // A new pin goes last among its pins.
  t.same(await titles(make.guest().page('/')), ['Global one', 'Global two', 'News chatter', 'Help chatter', 'Help pin']);
  t.same(await titles(make.guest().page('/c/help')), ['Global one', 'Global two', 'Help pin', 'Help chatter'], 'global pins first, then the category\'s own');
  t.same(await titles(make.guest().page('/c/news')), ['Global one', 'Global two', 'News chatter'], 'a global pin from another category leads here too');

  // The mark, in the lists and on the thread page.
  const help1 = await make.guest().page('/c/help');
  t.equal(help1.querySelectorAll('.pinned-mark').length, 3, 'each pin is marked');
  t.match(help1.querySelectorAll('.pinned-mark')[0].text, /Pinned everywhere/);
  t.equal(help1.querySelectorAll('.pinned-mark')[2].text.trim(), 'Pinned');
  const threadPage = await make.guest().page(`/t/${g2.id}/${g2.slug}`);
  t.ok(threadPage.querySelector('.pinned-mark'), 'the thread page says it is pinned');
  const staffPage = await staff.page(`/t/${g2.id}/${g2.slug}`);
  t.ok(staffPage.querySelector('form.pin-move-form'), 'staff get the buttons to move it');

  // Moving Global two up: guests' kept pages (the home page, and a category it is not in) follow.
  let res = await staff.submit(`/t/${g2.id}/pin/move`, { direction: 'up' });
  t.equal(res.statusCode, 303);
  t.same((await titles(make.guest().page('/'))).slice(0, 2), ['Global two', 'Global one']);
  t.same(await titles(make.guest().page('/c/news')), ['Global two', 'Global one', 'News chatter'], 'the kept category page goes with the change');
  // Up again from the first place: nothing moves.
  t.equal((await staff.submit(`/t/${g2.id}/pin/move`, { direction: 'up' })).statusCode, 303);
  // A place given: the last.
  t.equal((await staff.submit(`/t/${g2.id}/pin/move`, { position: '9' })).statusCode, 303);
  t.same((await titles(make.guest().page('/c/news'))).slice(0, 2), ['Global one', 'Global two']);
  t.equal((await staff.submit(`/t/${g2.id}/pin/move`, { position: 'first' })).statusCode, 422, 'a place is a number');
  t.equal((await staff.submit(`/t/${g2.id}/pin/move`, {})).statusCode, 422, 'a move says where');

  const log = await db
    .selectFrom('staff_log').select(['action', 'target_id', 'before', 'after', 'actor_id'])
    .where('action', '=', 'thread.pin_move').orderBy('id').execute();
  t.equal(log.length, 2, 'each move that changed the order is logged, the one that did not is not');
  t.same(log.map((l) => [l.target_id, l.before, l.after, l.actor_id]), [
    [g2.id, { pinned: 'global', position: 2 }, { pinned: 'global', position: 1 }, staffMember.id],
    [g2.id, { pinned: 'global', position: 1 }, { pinned: 'global', position: 2 }, staffMember.id],
  ]);

  // Only pins have a place; only staff move them.
  const unpinned = await thread(news.id, 'Not pinned', 5);
  t.equal((await staff.submit(`/t/${unpinned.id}/pin/move`, { direction: 'up' })).statusCode, 409);
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get('/');
  t.equal((await moderator.submit(`/t/${g1.id}/pin/move`, { direction: 'down' })).statusCode, 403);

  // Unpinned, a thread leaves the pins, and pinned again it goes last.
  t.equal((await staff.submit(`/t/${g1.id}/unpin`)).statusCode, 303);
  t.equal((await staff.submit(`/t/${g1.id}/pin`, { scope: 'global', until: '' })).statusCode, 303);
  t.same((await titles(make.guest().page('/'))).slice(0, 2), ['Global two', 'Global one']);
});

t.test('a pin ends at its end date by the app\'s clock', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const category = await make.category({ slug: 'updates' });
  const author = await make.member();
  const old = await createThread(db, { categoryId: category.id, userId: author.id, title: 'Maintenance tonight', body: 'x', at: new Date(Date.UTC(2026, 0, 1)) });
  await createThread(db, { categoryId: category.id, userId: author.id, title: 'Newer chatter', body: 'x' });
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.get('/');
  // Until the day after tomorrow (a date: its midnight, UTC).
  const until = new Date(clock.now().getTime() + 2 * 86400_000).toISOString().slice(0, 10);
  t.equal((await staff.submit(`/t/${old.id}/pin`, { scope: 'global', until })).statusCode, 303);

  const member = await signIn(await make.member());
  t.equal((await titles(member.page('/')))[0], 'Maintenance tonight', 'pinned on the home page');
  t.equal((await titles(member.page('/c/updates')))[0], 'Maintenance tonight', 'and in its category');
  t.ok((await member.page(`/t/${old.id}/${old.slug}`)).querySelector('.pinned-mark'));

  clock.advance(3 * 86400);
  t.same(await titles(member.page('/')), ['Newer chatter', 'Maintenance tonight'], 'past its end it is listed by its activity');
  t.same(await titles(member.page('/c/updates')), ['Newer chatter', 'Maintenance tonight']);
  t.equal((await member.page('/')).querySelector('.pinned-mark'), null, 'and no longer marked');
  t.equal((await member.page(`/t/${old.id}/${old.slug}`)).querySelector('.pinned-mark'), null);
  // Its end is checked by the same clock: a date now past is refused.
  t.equal((await staff.submit(`/t/${old.id}/pin`, { scope: 'global', until })).statusCode, 422);
  t.equal((await staff.submit(`/t/${old.id}/pin/move`, { direction: 'up' })).statusCode, 409, 'an ended pin has no place');
});

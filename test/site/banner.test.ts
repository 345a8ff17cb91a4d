// The site banner: published by brand staff and admins at /admin/banner (logged), shown on every
// page (guests' kept pages and members' shared thread pages too) until it ends by the app's
// clock or the reader dismisses it: a member on their row, a guest in a cookie.
import t from 'tap';
import { testApp } from '../helpers/app.ts';
import type { Agent } from '../helpers/agent.ts';
import { payloads, unsafeMarkup } from '../helpers/xss.ts';

const bannerOf = async (agent: Agent, url: string) => {
  const res = await agent.get(url);
  t.equal(res.statusCode, 200, `${url} answers`);
  return res.page().querySelector('#site-banner');
};

t.test('staff and admins publish a banner; others may not; each publishing and removal is logged', async (t) => {
  const { make, signIn, db } = await testApp(t);
  for (const role of ['member', 'moderator'] as const) {
    const who = await signIn(await make.member({ role }));
    t.equal((await who.get('/admin/banner')).statusCode, 403, `a ${role} may not see the banner page`);
    await who.get('/');
    t.equal((await who.submit('/admin/banner', { body: 'Mine' })).statusCode, 403, `nor publish (${role})`);
    t.equal((await who.submit('/admin/banner/remove')).statusCode, 403, `nor remove (${role})`);
  }
  const guest = make.guest();
  t.equal((await guest.get('/admin/banner')).headers.location, '/login?next=%2Fadmin%2Fbanner', 'a guest is asked to sign in');

  const staffMember = await make.member({ role: 'staff' });
  const staff = await signIn(staffMember);
  const page = await staff.page('/admin/banner');
  t.equal(page.h1(), 'Site banner');
  t.match(page.text, /No banner is up/);
  for (const [what, form, field, message] of [
    ['empty', { body: '  ' }, 'body', /Write what the banner says/],
    ['too long', { body: 'x'.repeat(2001) }, 'body', /At most 2000 characters/],
    ['not a date', { body: 'Hello', ends_at: 'next week' }, 'ends_at', /Enter a date/],
    ['in the past', { body: 'Hello', ends_at: '2020-01-01' }, 'ends_at', /in the future/],
  ] as const) {
    await staff.get('/admin/banner');
    const res = await staff.submit('/admin/banner', form);
    t.equal(res.statusCode, 422, what);
    t.match(res.page().fieldErrors()[field], message, what);
    t.equal(res.page().querySelector('#field-body')?.text, form.body, `${what}: the text is kept`);
  }
  t.equal((await db.selectFrom('banners').select('id').execute()).length, 0, 'nothing published');

  await staff.get('/admin/banner');
  const res = await staff.submit('/admin/banner', { body: 'Version 2 is out: [read the notes](/guidelines).', ends_at: '2099-01-01' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/banner');
  const after = await staff.page('/admin/banner');
  t.match(after.messages().join(' '), /The banner is up until 1 Jan 2099, 00:00 UTC/);
  t.match(after.querySelector('.banner-current')?.text, /In force now/);

  const admin = await signIn(await make.member({ role: 'admin' }));
  await admin.get('/admin/banner');
  t.equal((await admin.submit('/admin/banner', { body: 'A second banner in its place.' })).statusCode, 303, 'an admin may publish too');
  const banners = await db.selectFrom('banners').select(['id', 'removed_at']).orderBy('id').execute();
  t.equal(banners.length, 2);
  t.ok(banners[0].removed_at, 'one at a time: the first is removed by the second');
  t.equal(banners[1].removed_at, null);

  await admin.get('/admin/banner');
  t.equal((await admin.submit('/admin/banner/remove')).statusCode, 303);
  t.match((await admin.page('/admin/banner')).messages().join(' '), /The banner is removed/);
  t.notOk(await bannerOf(guest, '/'), 'removed: no banner on the pages');
  await admin.get('/admin/banner');
  await admin.submit('/admin/banner/remove');
  t.match((await admin.page('/admin/banner')).messages().join(' '), /There was no banner to remove/);

  const log = await db.selectFrom('staff_log').select(['actor_id', 'action', 'target_id', 'before', 'after']).orderBy('id').execute();
  t.same(
    log.map((l) => [l.action, l.actor_id, l.target_id]),
    [
      ['banner.publish', staffMember.id, banners[0].id],
      ['banner.publish', log[1].actor_id, banners[1].id],
      ['banner.remove', log[1].actor_id, banners[1].id],
    ],
  );
  t.same(log[0].after, { body: 'Version 2 is out: [read the notes](/guidelines).', ends_at: '2099-01-01T00:00:00.000Z' }, 'with what it says and its end');
  t.same(log[1].before, { body: 'Version 2 is out: [read the notes](/guidelines).', ends_at: '2099-01-01T00:00:00.000Z' }, 'a replaced banner is its before');
});

t.test('the banner is shown on every kind of page, cooked, with its link, and no script', async (t) => {
  const { make, signIn } = await testApp(t);
  const author = await make.member({ username: 'banner_author' });
  const thread = await make.thread({ by: author, title: 'A thread under the banner', replies: 1 });
  const category = await make.category();
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.get('/admin/banner');
  await staff.submit('/admin/banner', { body: `Read [the release notes](/t/${thread.id}). ${payloads.slice(0, 12).join(' ')}` });

  const threadUrl = `/t/${thread.id}/${thread.slug}`;
  const pages = ['/', threadUrl, `/c/${category.slug}`, `/u/${author.username}`, '/search?q=banner', '/guidelines', '/leaderboard', '/badges', '/ranks'];
  const member = await signIn(await make.member());
  for (const [who, agent] of [['a guest', make.guest()], ['a member', member], ['staff', staff]] as const) {
    for (const url of pages) {
      // Twice: the first visit renders (and keeps) the page, the second may be served from what was kept.
      for (const visit of [1, 2]) {
        const banner = await bannerOf(agent, url);
        t.ok(banner, `${who} sees the banner on ${url} (visit ${visit})`);
        t.equal(banner?.querySelector(`a[href="/t/${thread.id}"]`)?.text, 'the release notes', 'with its link');
        t.same(unsafeMarkup(banner?.toString() ?? ''), [], 'and no script');
      }
    }
  }
  t.ok(await bannerOf(staff, '/admin/banner'), 'the admin pages show it too');
});

t.test('a member dismisses the banner: gone from their pages, with JavaScript or without, and no one else\'s', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread({ title: 'A thread members share' });
  const threadUrl = `/t/${thread.id}/${thread.slug}`;
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.get('/admin/banner');
  await staff.submit('/admin/banner', { body: 'Maintenance on Sunday.' });
  const bannerId = (await db.selectFrom('banners').select('id').executeTakeFirstOrThrow()).id;

  const one = await make.member();
  const first = await signIn(one);
  const second = await signIn(await make.member());
  // The thread page plain members share is rendered once, for both.
  t.ok(await bannerOf(second, threadUrl));
  const banner = await bannerOf(first, threadUrl);
  t.equal(banner?.getAttribute('data-banner-id'), String(bannerId));
  t.equal(banner?.querySelector('form')?.getAttribute('method'), 'post', 'a member dismisses with a form that posts');
  t.equal(banner?.querySelector('input[name=return_to]')?.getAttribute('value'), threadUrl);

  const res = await first.submit('/banner/dismiss', { banner_id: String(bannerId), return_to: threadUrl });
  t.equal(res.statusCode, 303, 'without JavaScript: back to the page');
  t.equal(res.headers.location, threadUrl);
  t.equal((await db.selectFrom('users').select('dismissed_banner_id').where('id', '=', one.id).executeTakeFirstOrThrow()).dismissed_banner_id, bannerId, 'remembered on their row');
  for (const url of [threadUrl, '/', '/search?q=x']) t.notOk(await bannerOf(first, url), `gone from ${url} for them`);
  t.ok(await bannerOf(second, threadUrl), 'still there for another member, on the same shared page');
  t.ok(await bannerOf(second, '/'));
  t.ok(await bannerOf(make.guest(), '/'), 'and for guests');

  // With htmx the answer is empty: the banner is swapped out in place.
  await second.get('/');
  const inPlace = await second.submit('/banner/dismiss', { banner_id: String(bannerId), return_to: '/' }, { htmx: true });
  t.equal(inPlace.statusCode, 200);
  t.equal(inPlace.body, '');
  t.notOk(await bannerOf(second, '/'));

  // Signed in again elsewhere, still dismissed; a new banner shows again.
  t.notOk(await bannerOf(await signIn(one), '/'), 'remembered across sessions');
  await staff.get('/admin/banner');
  await staff.submit('/admin/banner', { body: 'Maintenance moved to Monday.' });
  t.match((await bannerOf(first, threadUrl))?.text, /Monday/, 'a new banner shows to those who dismissed the last');

  // Where it brings back is a path of this site, never another.
  await first.get('/');
  const away = await first.submit('/banner/dismiss', { banner_id: '1', return_to: '//evil.example/x' });
  t.equal(away.headers.location, '/');
  t.equal((await first.submit('/banner/dismiss', { banner_id: '1', return_to: '/' }, { csrf: false })).statusCode, 403, 'a forged dismissal is refused');
});

t.test('a guest dismisses the banner in a cookie: their kept pages go without it, everyone else\'s keep it', async (t) => {
  const { make, signIn, db, app } = await testApp(t);
  const thread = await make.thread({ title: 'A thread guests read' });
  const threadUrl = `/t/${thread.id}/${thread.slug}`;
  const staff = await signIn(await make.member({ role: 'staff' }));
  await staff.get('/admin/banner');
  await staff.submit('/admin/banner', { body: 'We are hiring.' });
  const bannerId = (await db.selectFrom('banners').select('id').executeTakeFirstOrThrow()).id;

  const guest = make.guest();
  const other = make.guest();
  for (const url of ['/', threadUrl]) {
    await other.get(url);
    t.ok(await bannerOf(guest, url), `${url}: the guest sees it`);
  }
  const form = (await guest.get('/')).page().querySelector('#site-banner form');
  t.equal(form?.getAttribute('method'), 'get', "a guest's kept page carries no token: its dismissal is asked for");
  t.notOk(form?.querySelector('input[name=_csrf]'));

  const res = await guest.get(`/banner/dismiss?banner_id=${bannerId}&return_to=${encodeURIComponent(threadUrl)}`);
  t.equal(res.statusCode, 303, 'without JavaScript: back to the page');
  t.equal(res.headers.location, threadUrl);
  t.equal(guest.cookies.get('hearth_banner'), String(bannerId), 'remembered in a cookie');
  t.equal(res.headers['cache-control'], 'private, no-store');
  for (const url of ['/', threadUrl, '/guidelines']) {
    for (const visit of [1, 2]) t.notOk(await bannerOf(guest, url), `gone from ${url} for them (visit ${visit})`);
  }
  const before = app.queryCount();
  t.notOk(await bannerOf(guest, '/'));
  t.equal(app.queryCount() - before, 0, 'their pages are kept too, apart from everyone else\'s');
  for (const url of ['/', threadUrl]) {
    t.ok(await bannerOf(other, url), `another guest still sees it on ${url}`);
    t.ok(await bannerOf(make.guest(), url), 'and a new one');
  }

  // With htmx the banner goes in place.
  const third = make.guest();
  await third.get('/');
  const inPlace = await third.get(`/banner/dismiss?banner_id=${bannerId}&return_to=%2F`, { 'hx-request': 'true' });
  t.equal(inPlace.statusCode, 200);
  t.equal(inPlace.body, '');
  t.notOk(await bannerOf(third, '/'));

  // A cookie naming another banner, or nothing of the kind, hides nothing.
  const stale = make.guest();
  stale.cookies.set('hearth_banner', String(bannerId + 1000));
  t.ok(await bannerOf(stale, '/'));
  stale.cookies.set('hearth_banner', 'x'.repeat(50));
  t.ok(await bannerOf(stale, '/'));

  // A new banner shows again to the guest who dismissed the last.
  await staff.get('/admin/banner');
  await staff.submit('/admin/banner', { body: 'Still hiring, now in Lisbon.' });
  t.match((await bannerOf(guest, '/'))?.text, /Lisbon/);
});

t.test('the banner ends at its end date, by the app\'s clock, on kept pages too', async (t) => {
  const { make, signIn, clock, app } = await testApp(t);
  const thread = await make.thread({ title: 'A thread to watch the banner end on' });
  const threadUrl = `/t/${thread.id}/${thread.slug}`;
  const staff = await signIn(await make.member({ role: 'staff' }));
  const end = new Date(app.now().getTime() + 2 * 3600_000);
  await staff.get('/admin/banner');
  t.equal((await staff.submit('/admin/banner', { body: 'Sale ends soon.', ends_at: end.toISOString().slice(0, 16) })).statusCode, 303);

  const guest = make.guest();
  const member = await signIn(await make.member());
  const other = await signIn(await make.member());
  for (const url of ['/', threadUrl]) {
    for (const agent of [guest, guest, member, other]) t.ok(await bannerOf(agent, url), `${url}: shown before its end`);
  }
  clock.advance(3600);
  t.ok(await bannerOf(guest, '/'), 'an hour later: still shown');
  clock.advance(3600 + 60);
  for (const url of ['/', threadUrl]) {
    t.notOk(await bannerOf(guest, url), `${url}: gone for a guest once it ends, though the page was kept`);
    t.notOk(await bannerOf(member, url), `${url}: and for members (the shared thread page too)`);
    t.notOk(await bannerOf(other, url));
  }
  const page = await staff.page('/admin/banner');
  t.match(page.querySelector('.banner-current')?.text, /ended/, 'the banner page says it has ended');
  // Dismissing an ended banner changes nothing.
  await member.get('/');
  t.equal((await member.submit('/banner/dismiss', { banner_id: '1', return_to: '/' })).statusCode, 303);
});

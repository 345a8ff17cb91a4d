// Brand staff speak to everyone at once: an announcement pinned everywhere until an end date, and a site
// banner with a link. A member sees both on the home page and dismisses the banner, and so does
// a guest; the banner stays gone for them, page after page. With JavaScript on and off.
import t from 'tap';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`staff pin a thread everywhere and publish a banner; a member and a guest dismiss it (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, db, app, signInPage, context } = await browserApp(t);
    const suffix = javaScript ? 'script' : 'plain';
    const staffMember = await make.member({ role: 'staff', username: `brand_${suffix}` });
    const title = `Version 2 is here (${suffix})`;
    const news = await make.category({ name: 'News', slug: `news-${suffix}` });
    await make.thread({ title: 'An ordinary thread below the pin' });
    const end = new Date(app.now().getTime() + 7 * 24 * 3600_000).toISOString().slice(0, 10);

    // Staff post an announcement, then pin it everywhere until a week from now, from its page.
    const staff = await signInPage(staffMember, { javaScript });
    await staff.goto(`/c/${news.slug}/new`);
    await staff.locator('input[name=kind][value=announcement]').check();
    await staff.getByLabel('Title').fill(title);
    await staff.getByLabel('Post').fill('Everything that changed, and how to move your settings across.');
    await staff.getByRole('button', { name: 'Post thread' }).click();
    await staff.waitForSelector(`h1:text("${title}")`);
    const thread = await db.selectFrom('threads').select(['id', 'slug', 'kind']).where('title', '=', title).executeTakeFirstOrThrow();
    t.equal(thread.kind, 'announcement', 'an announcement');
    await staff.locator('#pin-scope').selectOption('global');
    await staff.locator('#pin-until').fill(end);
    await staff.getByRole('button', { name: 'Pin', exact: true }).click();
    await staff.waitForSelector('button:has-text("Unpin (global)")');
    const pinned = await db.selectFrom('threads').select(['pinned_scope', 'pinned_until']).where('id', '=', thread.id).executeTakeFirstOrThrow();
    t.equal(pinned.pinned_scope, 'global');
    t.equal(pinned.pinned_until?.toISOString().slice(0, 10), end, 'until the date chosen');

    // And publish a banner that leads to it.
    await staff.goto('/admin/banner');
    await staff.getByLabel('What it says').fill(`Version 2 is out: [read what changed](/t/${thread.id}).`);
    await staff.getByLabel('Ends').fill(end);
    await staff.getByRole('button', { name: 'Publish the banner' }).click();
    await staff.waitForSelector('text=The banner is up until');

    // A member sees both on the home page: the pin leading the list, the banner above it.
    const member = await signInPage(await make.member({ username: `reader_${suffix}` }), { javaScript });
    await member.goto('/');
    const banner = member.locator('#site-banner');
    t.equal(await banner.locator('a').textContent(), 'read what changed', 'the banner, with its link');
    const lead = member.locator('.thread-list .thread-row').first();
    t.equal((await lead.locator('.thread-title').textContent())?.trim(), title, 'the pinned thread leads the list');
    t.match(await lead.textContent(), /Pinned/, 'marked as pinned');
    await member.getByRole('button', { name: 'Dismiss' }).click();
    if (javaScript) {
      await banner.waitFor({ state: 'detached' });
      t.equal(new URL(member.url()).pathname, '/', 'removed in place');
    } else {
      await member.waitForURL('**/');
      t.equal(await banner.count(), 0, 'back on the page, without the banner');
    }
    for (const url of ['/', `/t/${thread.id}/${thread.slug}`, '/guidelines']) {
      await member.goto(url);
      t.equal(await member.locator('#site-banner').count(), 0, `dismissed: not on ${url}`);
    }
    t.equal(
      (await db.selectFrom('users').select('dismissed_banner_id').where('username', '=', `reader_${suffix}`).executeTakeFirstOrThrow()).dismissed_banner_id !== null,
      true,
      'remembered for the member',
    );

    // A guest sees the banner on the kept home page too, and dismisses it in their cookie.
    const guest = await (await context({ javaScript })).newPage();
    await guest.goto(`/t/${thread.id}/${thread.slug}`);
    await guest.locator('#site-banner').waitFor();
    await guest.getByRole('button', { name: 'Dismiss' }).click();
    if (javaScript) await guest.locator('#site-banner').waitFor({ state: 'detached' });
    else await guest.waitForURL(`**/t/${thread.id}/${thread.slug}`);
    for (const url of ['/', `/t/${thread.id}/${thread.slug}`]) {
      await guest.goto(url);
      t.equal(await guest.locator('#site-banner').count(), 0, `the guest no longer sees it on ${url}`);
    }
    // Everyone else still does.
    const other = await (await context({ javaScript })).newPage();
    await other.goto('/');
    t.equal(await other.locator('#site-banner').count(), 1, 'another guest still sees it');
    await staff.goto('/');
    t.equal(await staff.locator('#site-banner').count(), 1, 'and so does staff');

    t.same(errors, [], 'no script errors or CSP violations');
  });
}

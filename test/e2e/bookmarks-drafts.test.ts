// A member bookmarks a thread and finds it again, sets a reminder in their own time zone, and
// writes a reply on one device that waits for them on another; with JavaScript and without.
import t from 'tap';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`bookmarks and drafts (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, db, signInPage } = await browserApp(t);
    const member = await make.member({ username: 'keeper_' + (javaScript ? 'js' : 'plain') });
    const thread = await make.thread({ title: 'Migrating from the old plan', replies: 1 });
    const threadUrl = `/t/${thread.id}/${thread.slug}`;
    const first = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 1).executeTakeFirstOrThrow();

    const laptop = await signInPage(member, { javaScript });
    await laptop.goto(threadUrl);
    const control = laptop.locator(`#bookmark-${first.id}`);
    await control.getByRole('button', { name: 'Bookmark' }).click();
    await laptop.waitForSelector(`#bookmark-${first.id} .bookmark-button[aria-pressed="true"]`);
    if (javaScript) t.equal(laptop.url().endsWith(threadUrl), true, 'toggled in place');

    // A reminder, read in the browser's zone (UTC here) or as UTC without the script.
    await laptop.locator(`#bookmark-${first.id} summary`).click();
    await laptop.locator(`#remind-at-${first.id}`).fill(`${new Date().getUTCFullYear() + 1}-05-01T10:15`);
    await laptop.locator(`#bookmark-${first.id}`).getByRole('button', { name: 'Set reminder' }).click();
    await t.resolves(async () => {
      for (let i = 0; i < 50; i++) {
        const row = await db.selectFrom('bookmarks').select('remind_at').where('post_id', '=', first.id).executeTakeFirst();
        if (row?.remind_at) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no reminder was set');
    }, 'the reminder is set');

    await laptop.getByRole('link', { name: 'Bookmarks' }).click();
    await laptop.waitForSelector('h1:text("Bookmarks")');
    t.equal(await laptop.locator('.bookmark-item .bookmark-title a').textContent(), 'Migrating from the old plan', 'found again');

    // A reply written on the laptop waits on the phone.
    await laptop.goto(threadUrl);
    await laptop.getByLabel('Your reply').fill('We moved last month, and the one thing to watch is');
    if (javaScript) await laptop.waitForSelector('#draft-status .draft-saved');
    else {
      await laptop.getByRole('button', { name: 'Save draft' }).click();
      await laptop.waitForSelector('[role=status]:text("Your draft is saved.")');
    }
    const phone = await signInPage(member, { javaScript });
    await phone.goto(threadUrl);
    t.equal(await phone.getByLabel('Your reply').inputValue(), 'We moved last month, and the one thing to watch is', 'the draft is there on the other device');
    await phone.getByRole('button', { name: 'Reply' }).click();
    await phone.waitForSelector('article.post >> nth=2');
    t.equal((await db.selectFrom('drafts').select('draft_key').execute()).length, 0, 'posting cleared the draft');
    if (javaScript) t.equal(await phone.getByLabel('Your reply').inputValue(), '', 'and the box is empty, not the draft again');
    t.same(errors, [], 'no script or CSP errors');
  });
}

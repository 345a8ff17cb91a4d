// A member makes the place their own: puts a face and a line about themselves on their profile,
// asks a question with a screenshot attached (pasted into the text with JavaScript, through the
// plain file input without it), and bookmarks a thread to find again later. The same journey
// with JavaScript on and off.
import t from 'tap';
import sharp from 'sharp';
import { browserApp } from '../helpers/browser.ts';

/** A screenshot-like PNG of the given size. */
const screenshotOf = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 240, g: 240, b: 250 } } }).png().toBuffer();

for (const javaScript of [true, false]) {
  t.test(`a member's own space: avatar, a screenshot in a question, a bookmark (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, db, clock, signInPage } = await browserApp(t);
    const name = javaScript ? 'own_script' : 'own_plain';
    const member = await make.member({ username: name });
    await make.category({ name: 'Help', slug: 'help' });
    const other = await make.thread({ title: 'Migrating from the old plan', replies: 1 });
    const page = await signInPage(member, { javaScript });

    // The profile: the letter avatar to begin with, then a name, a bio, a website and a picture.
    await page.goto('/account');
    t.match(await page.locator('#avatar img.avatar').getAttribute('src'), /^\/avatars\/\d+-[0-9a-f]+-[0-9a-f]{16}\.svg$/, 'the letter avatar to begin with');
    await page.getByLabel('Display name').fill('Sam Face');
    await page.getByLabel('About you').fill('I look after the **header** styles.');
    await page.getByLabel('Website').fill('https://sam.example.org');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForSelector('text=Your profile is saved.');
    const picture = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 220, g: 120, b: 40 } } }).jpeg().toBuffer();
    await page.getByLabel('Picture').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: picture });
    await page.getByRole('button', { name: 'Upload picture' }).click();
    await page.waitForSelector('text=Your avatar is changed.');
    t.match(await page.locator('#avatar img.avatar').getAttribute('src'), /^\/avatars\/[0-9a-f]{40}-96\.webp$/, 'the uploaded picture replaces it');
    await page.goto(`/u/${name}`);
    t.equal(await page.locator('h1 .display-name').textContent(), 'Sam Face');
    t.equal(await page.locator('.bio strong').textContent(), 'header', 'the bio is cooked markdown');
    t.equal(await page.locator('a.website').getAttribute('rel'), 'nofollow ugc noopener');
    t.match(await page.locator('.profile-head img.avatar').getAttribute('src'), /-96\.webp$/);

    // A question with a screenshot of what went wrong.
    clock.advance(60);
    await page.goto('/c/help/new');
    await page.locator('input[name=kind][value=question]').check();
    await page.getByLabel('Title').fill('The export button does nothing');
    const body = page.getByLabel('Post');
    await body.fill('This is what I see:\n');
    if (javaScript) {
      await body.focus();
      await page.evaluate(async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
        document.querySelector('textarea[name="body"]')!
          .dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }, (await screenshotOf(320, 200)).toString('base64'));
      await page.waitForFunction(() => /!\[screenshot\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)/.test((document.querySelector('textarea[name="body"]') as HTMLTextAreaElement).value));
      t.match(await page.locator('[data-upload-status]').first().textContent(), /screenshot\.png is uploaded/, 'the paste is uploaded in place');
    } else {
      await page.getByLabel('Attach an image or file').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: await screenshotOf(320, 200) });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.waitForURL(/\/c\/help\/new#field-body$/);
      t.match(await body.inputValue(), /^This is what I see:\n\n!\[screenshot\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)\n$/, 'the text kept, the markdown added');
      t.equal(await page.getByLabel('Title').inputValue(), 'The export button does nothing', 'the title kept');
      t.ok(await page.locator('input[name=kind][value=question]').isChecked(), 'still a question');
    }
    await page.getByRole('button', { name: 'Post thread' }).click();
    await page.waitForSelector('h1:text("The export button does nothing")');
    const question = await db.selectFrom('threads').select(['kind']).where('title', '=', 'The export button does nothing').executeTakeFirstOrThrow();
    t.equal(question.kind, 'question');
    const first = page.locator('article.post').first();
    await page.waitForFunction(() => {
      const img = document.querySelector('article.post .post-body img') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth === 320;
    });
    t.pass('the screenshot shows in the question');
    await page.waitForFunction(() => {
      const img = document.querySelector('article.post img.avatar') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth === 48;
    });
    t.match(await first.locator('img.avatar').getAttribute('src'), /-48\.webp$/, 'and the picture beside it');
    t.equal(await first.locator('.display-name').textContent(), 'Sam Face');

    // Another thread, bookmarked to come back to, and found again at /bookmarks.
    const threadUrl = `/t/${other.id}/${other.slug}`;
    const opening = await db.selectFrom('posts').select('id').where('thread_id', '=', other.id).where('post_number', '=', 1).executeTakeFirstOrThrow();
    await page.goto(threadUrl);
    await page.locator(`#bookmark-${opening.id}`).getByRole('button', { name: 'Bookmark' }).click();
    await page.waitForSelector(`#bookmark-${opening.id} .bookmark-button[aria-pressed="true"]`);
    if (javaScript) t.equal(page.url().endsWith(threadUrl), true, 'bookmarked in place');
    await page.getByRole('link', { name: 'Bookmarks' }).click();
    await page.waitForSelector('h1:text("Bookmarks")');
    t.equal(await page.locator('.bookmark-item .bookmark-title a').textContent(), 'Migrating from the old plan', 'found again');
    await page.locator('.bookmark-item .bookmark-title a').click();
    await page.waitForSelector('h1:text("Migrating from the old plan")');
    t.same(errors, [], 'no script error, CSP violation or failed request');
  });
}

// A member puts a face and a line about themselves on their profile: from the account page, with
// JavaScript on and off, and sees their picture beside their post and on their profile.
import t from 'tap';
import sharp from 'sharp';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`a member sets a display name, a bio and an avatar (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, signInPage } = await browserApp(t);
    const name = javaScript ? 'face_script' : 'face_plain';
    const member = await make.member({ username: name });
    const thread = await make.thread({ by: member, title: 'How do I change the colour of the header?' });
    const picture = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 220, g: 120, b: 40 } } }).jpeg().toBuffer();

    const page = await signInPage(member, { javaScript });
    await page.goto('/account');
    t.match(await page.locator('#avatar img.avatar').getAttribute('src'), /^\/avatars\/\d+-[0-9a-f]+-[0-9a-f]{16}\.svg$/, 'the letter avatar to begin with');
    await page.getByLabel('Display name').fill('Sam Face');
    await page.getByLabel('About you').fill('I look after the **header** styles.');
    await page.getByLabel('Website').fill('https://sam.example.org');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForSelector('text=Your profile is saved.');

    await page.getByLabel('Picture').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: picture });
    await page.getByRole('button', { name: 'Upload picture' }).click();
    await page.waitForSelector('text=Your avatar is changed.');
    const mine = page.locator('#avatar img.avatar');
    t.match(await mine.getAttribute('src'), /^\/avatars\/[0-9a-f]{40}-96\.webp$/);
    await page.waitForFunction(() => {
      const img = document.querySelector('#avatar img.avatar') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth > 0;
    });

    await page.goto(`/t/${thread.id}/${thread.slug}`);
    const beside = page.locator('article.post').first().locator('img.avatar');
    await page.waitForFunction(() => {
      const img = document.querySelector('article.post img.avatar') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth === 48;
    });
    t.match(await beside.getAttribute('src'), /-48\.webp$/, 'the picture is beside the post');
    t.equal(await page.locator('article.post').first().locator('.display-name').textContent(), 'Sam Face');

    await page.goto(`/u/${name}`);
    t.equal(await page.locator('h1 .display-name').textContent(), 'Sam Face');
    t.equal(await page.locator('.bio strong').textContent(), 'header');
    t.equal(await page.locator('a.website').getAttribute('rel'), 'nofollow ugc noopener');
    t.match(await page.locator('.profile-head img.avatar').getAttribute('src'), /-96\.webp$/);
    t.same(errors, [], 'no script or CSP errors in the console');
  });
}

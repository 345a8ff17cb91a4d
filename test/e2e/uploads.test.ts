// A member attaches a screenshot to a question: pasted into the reply with JavaScript, and by
// the plain file input without it. The image shows in the post either way.
import t from 'tap';
import sharp from 'sharp';
import { browserApp } from '../helpers/browser.ts';

t.test('attach a screenshot by paste (JavaScript on) and by the file input (JavaScript off)', async (t) => {
  const { errors, make, signInPage, clock } = await browserApp(t);
  const asker = await make.member({ username: 'asker_uploads' });
  const thread = await make.thread({ by: asker, title: 'The export button does nothing', kind: 'question' });
  const screenshot = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 240, g: 240, b: 250 } } }).png().toBuffer();

  // A while after the question (posts are spaced by rank).
  clock.advance(60);
  // JavaScript on: an image pasted into the reply is uploaded and its markdown put at the cursor.
  const page = await signInPage(asker);
  await page.goto(`/t/${thread.id}/${thread.slug}`);
  const box = page.getByLabel('Your reply');
  await box.fill('This is what I see:\n');
  await box.focus();
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const file = new File([bytes], 'screenshot.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    const textarea = document.querySelector('textarea[name="body"]')!;
    textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, screenshot.toString('base64'));
  await page.waitForFunction(() => /!\[screenshot\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)/.test((document.querySelector('textarea[name="body"]') as HTMLTextAreaElement).value));
  t.match(await page.locator('[data-upload-status]').first().textContent(), /screenshot\.png is uploaded/);
  await page.getByRole('button', { name: 'Reply', exact: true }).click();
  await page.waitForSelector('article.post >> nth=1');
  const pasted = page.locator('article.post').nth(1).locator('.post-body img');
  await pasted.waitFor();
  t.ok(await pasted.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 320), 'the pasted image shows in the reply');

  clock.advance(60);
  // JavaScript off: choose the file, Upload, and the form comes back with its markdown; Reply posts it.
  const plain = await signInPage(asker, { javaScript: false });
  await plain.goto(`/t/${thread.id}/${thread.slug}`);
  await plain.getByLabel('Your reply').fill('And the settings page:');
  const settingsShot = await sharp({ create: { width: 300, height: 180, channels: 3, background: { r: 20, g: 40, b: 60 } } }).png().toBuffer();
  await plain.getByLabel('Attach an image or file').setInputFiles({ name: 'settings.png', mimeType: 'image/png', buffer: settingsShot });
  await plain.getByRole('button', { name: 'Upload', exact: true }).click();
  await plain.waitForURL(/#field-body$/);
  const text = await plain.getByLabel('Your reply').inputValue();
  t.match(text, /^And the settings page:\n\n!\[settings\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)\n$/, 'the text kept, the markdown added');
  await plain.getByRole('button', { name: 'Reply', exact: true }).click();
  await plain.waitForURL(/#post-\d+$/);
  const attached = plain.locator('article.post').last().locator('.post-body img');
  t.ok(await attached.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the uploaded image shows in the reply');

  t.same(errors, [], 'no script error, CSP violation or failed request');
});

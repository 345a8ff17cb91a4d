// A member starts a thread and another replies, in place with JavaScript and by plain forms without.
import t from 'tap';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`start a thread and reply (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, db, signInPage } = await browserApp(t);
    await make.category({ name: 'General', slug: 'general' });
    const author = await make.member({ username: 'author_' + (javaScript ? 'js' : 'plain') });
    const replier = await make.member({ username: 'replier_' + (javaScript ? 'js' : 'plain') });

    const signIn = (who: { username: string; password: string }) => signInPage(who, { javaScript });

    const a = await signIn(author);
    await a.goto('/c/general');
    await a.getByRole('link', { name: 'New thread' }).click();
    await a.getByLabel('Title').fill('Which plan suits a small team?');
    await a.getByLabel('Post').fill('We are **five** people.');
    await a.getByRole('button', { name: 'Post thread' }).click();
    await a.waitForSelector('h1:text("Which plan suits a small team?")');
    const threadUrl = a.url();

    const r = await signIn(replier);
    await r.goto(threadUrl);
    await r.getByLabel('Your reply').fill('The *team* plan, I think.');
    if (javaScript) {
      await r.waitForSelector('#preview em:text("team")');
      t.pass('the preview follows the typing');
    } else {
      await r.getByRole('button', { name: 'Preview' }).click();
      t.equal(await r.locator('#preview em').textContent(), 'team', 'the Preview button shows it');
      t.equal(await r.getByLabel('Your reply').inputValue(), 'The *team* plan, I think.', 'with the text kept');
    }
    await r.getByRole('button', { name: 'Reply' }).click();
    await r.waitForSelector('article.post >> nth=1');
    t.equal(await r.locator('article.post').count(), 2);
    t.equal(await r.locator('article.post').nth(1).locator('.post-body em').textContent(), 'team');
    if (javaScript) {
      t.equal(r.url(), threadUrl, 'htmx appended the reply without a page load');
      t.equal(await r.getByLabel('Your reply').inputValue(), '', 'and emptied the form');
    } else {
      t.match(r.url(), /#post-\d+$/, 'without JavaScript the form redirects to the new post');
    }

    await a.reload();
    t.equal(await a.locator('article.post').count(), 2, 'the author sees the reply');
    // A long thread: "Next page" loads more posts in place with JavaScript, or opens page 2.
    const { createReply } = await import('../../server/threads/queries.ts');
    const threadId = Number(/\/t\/(\d+)/.exec(threadUrl)![1]);
    for (let i = 0; i < 25; i++) await createReply(db, { threadId, userId: author.id, body: `Filler ${i}` });
    await a.goto(`${threadUrl}?page=1`);
    await a.getByRole('link', { name: 'Next page' }).click();
    if (javaScript) {
      await a.waitForSelector('article.post >> nth=20');
      t.equal(await a.locator('article.post').count(), 27, 'both pages on one screen');
      t.ok(await a.locator('form.reply-form').count(), 'with the reply form of the last page');
    } else {
      await a.waitForURL('**page=2');
      t.equal(await a.locator('article.post').count(), 7);
    }
    t.same(errors, [], 'no script or CSP errors');
  });
}

// A member starts a thread; another replies mentioning them; the first sees the notification
// and follows it to the reply — with JavaScript on and off.
import t from 'tap';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`a mention reaches its member (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { errors, make, signInPage } = await browserApp(t);
    await make.category({ name: 'General', slug: 'general' });
    const suffix = javaScript ? 'js' : 'plain';
    const asker = await make.member({ username: `asker_${suffix}` });
    const helper = await make.member({ username: `helper_${suffix}` });

    const signIn = (who: { username: string; password: string }) => signInPage(who, { javaScript });

    const a = await signIn(asker);
    await a.goto('/c/general/new');
    await a.getByLabel('Title').fill('How do I export to CSV?');
    await a.getByLabel('Post').fill('Looking for the export button.');
    await a.getByRole('button', { name: 'Post thread' }).click();
    await a.waitForSelector('h1:text("How do I export to CSV?")');
    const threadUrl = a.url();

    const h = await signIn(helper);
    await h.goto(threadUrl);
    await h.getByLabel('Your reply').fill(`@${asker.username} it is under Reports → Export.`);
    await h.getByRole('button', { name: 'Reply' }).click();
    await h.waitForSelector('article.post >> nth=1');
    t.equal(await h.locator('article.post').nth(1).locator('a.mention').textContent(), `@${asker.username}`);

    await a.goto('/');
    t.equal(await a.locator('#nav-notifications .badge').textContent(), '1', 'the count shows in the navigation');
    await a.locator('#nav-notifications').click();
    await a.waitForURL('**/notifications');
    t.match(await a.locator('.notification.unread').first().textContent(), new RegExp(`${helper.username} mentioned you in`));
    await a.locator('.notification button').first().click();
    await a.waitForSelector('text=it is under Reports');
    t.match(a.url(), /#post-\d+$/, 'the notification leads to the reply');
    t.equal(await a.locator('#nav-notifications .badge').count(), 0, 'and is read');
    t.same(errors, [], 'no script or CSP errors');
  });
}

// A member's first visit: register, sign out, sign in, see their name — with and without JavaScript.
import t from 'tap';
import { browserApp } from '../helpers/browser.ts';

for (const javaScript of [true, false]) {
  t.test(`register, sign out, sign in (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { context, errors, clock } = await browserApp(t);
    const ctx = await context({ javaScript });
    const page = await ctx.newPage();
    const name = javaScript ? 'jo_script' : 'jo_plain';

    await page.goto('/');
    await page.getByRole('link', { name: 'Join' }).click();
    await page.getByLabel('Username').fill(name);
    // A person takes some seconds over the form; registration refuses one sent back faster.
    clock.advance(10);
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    t.match(await page.locator('#error-email').textContent(), /valid email/, 'the error is beside the field');
    t.equal(await page.getByLabel('Username').inputValue(), name, 'the username is kept');

    await page.getByLabel('Email').fill(`${name}@example.com`);
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/');
    t.equal(await page.locator('.nav-user').textContent(), name);
    t.match(await page.getByRole('status').textContent(), /Welcome/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('text=You have signed out.');
    t.equal(await page.locator('.nav-user').count(), 0);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Username or email').fill(`${name}@example.com`);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    t.match(await page.getByRole('alert').first().textContent(), /do not match/);
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/');
    t.equal(await page.locator('.nav-user').textContent(), name, 'the name is in the navigation');
    t.same(errors, [], 'no script or CSP errors in the console');
    await ctx.close();
  });
}

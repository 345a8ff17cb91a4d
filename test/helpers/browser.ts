// Browser journeys: the real app listening on 127.0.0.1 and Debian's Chromium driven by
// playwright-core (never a downloaded browser).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { Test } from 'tap';
import { testApp } from './app.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function browserApp(t: Test) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const fixture = await testApp(t);
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  const address = fixture.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  const errors: string[] = [];
  async function context(opts: { javaScript?: boolean } = {}): Promise<BrowserContext> {
    const ctx = await browser.newContext({ baseURL: base, javaScriptEnabled: opts.javaScript ?? true });
    // A CSP violation or a script error is a bug: collect them and let the test assert none.
    // A rejected form answers 4xx on purpose, so the console's note about the document's status
    // is not counted; a failed script, stylesheet or image is.
    ctx.on('page', (page) => {
      page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('response', (r) => {
        if (r.status() >= 400 && r.request().resourceType() !== 'document') errors.push(`${r.status()} ${r.url()}`);
      });
    });
    return ctx;
  }
  /** A browser page signed in through the real /login form. */
  async function signInPage(who: { username: string; password: string }, opts: { javaScript?: boolean } = {}) {
    const page = await (await context(opts)).newPage();
    await page.goto('/login');
    await page.getByLabel('Username or email').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/');
    return page;
  }
  return { ...fixture, base, browser, context, errors, signInPage };
}

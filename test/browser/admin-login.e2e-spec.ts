/**
 * The dashboard sign-in in a real browser: the page posts the token from the fragment, the
 * browser keeps the HttpOnly __Host- session cookie (script cannot read it) and opens the
 * dashboard with it; the token is in no cookie and no URL the browser keeps.
 */
import type { Browser } from 'playwright-core';
import { tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';
import { launchBrowser } from './browser-harness';

// The app as in production (NODE_ENV test): the cookie rules are production's.
const herald = useTestApp();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

it('signs in from /admin/queues/login#token=… and opens the dashboard with an HttpOnly session', async () => {
  // localhost: a browser keeps Secure cookies from http://localhost (a secure context)
  const origin = herald.url.replace('127.0.0.1', 'localhost');
  const token = tokenFor('operator', { scope: 'admin' });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/admin/queues/login#token=${token}`);
    await page.waitForURL(`${origin}/admin/queues/`, { timeout: 10000 });
    await page.waitForSelector('text=notifications', { timeout: 10000 });
    const cookies = await context.cookies(origin);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite, c.path])).toEqual([
      ['__Host-herald_admin', true, true, 'Strict', '/'],
    ]);
    expect(cookies[0].value).not.toContain(token.split('.')[1]);
    expect(await page.evaluate('document.cookie')).toBe('');
    // no history entry keeps the token: the sign-in page replaced itself
    await page.goBack();
    expect(page.url()).not.toContain('token=');
  } finally {
    await context.close();
  }
}, 40000);

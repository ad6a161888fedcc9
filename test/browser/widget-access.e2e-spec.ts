/** Tokens (rejected, expiring, renewed through the app's hook) and keyboard / screen-reader use. */
import { eventually, type TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import {
  connectionAttempts,
  embed,
  focusedInWidget,
  itemTitled,
  items,
  openHostPage,
  openPanel,
  publish,
  publishInOrder,
  runTimers,
  useBrowserSuite,
  waitForBadge,
  waitForStatus,
  type HostApp,
} from './browser-harness';

let app: TestApp;
let host: HostApp;

const suite = useBrowserSuite('widgetaccess');
beforeAll(() => {
  ({ app, host } = suite);
});

/** Records `herald-unauthorized` events of the page in window.unauthorized. */
const COUNT_UNAUTHORIZED = `<script>
  window.unauthorized = 0;
  document.addEventListener('herald-unauthorized', () => window.unauthorized++);
</script>`;

describe('tokens', () => {
  it('stops after one attempt and says so when the token is rejected at the upgrade', async () => {
    const forged = tokenFor('mallory', { secret: 'not-the-secret-of-this-server-0123456789' });
    const { page } = await openHostPage(
      suite.context,
      host,
      COUNT_UNAUTHORIZED + embed(app, forged),
      { fakeClock: true },
    );
    await waitForStatus(page, 'unauthorized');
    // Every timer the widget set fires now: a retry of any kind would start a connection.
    await runTimers(page);
    expect(await connectionAttempts(page)).toEqual({ webSocket: 1, stream: 0 });
    expect(await page.evaluate('window.unauthorized')).toBe(1);
    await openPanel(page);
    expect(await page.locator('herald-inbox .banner').textContent()).toContain(
      'session has expired',
    );
  });

  it('stops at close code 4401 when the token expires and there is no hook to renew it', async () => {
    const { page } = await openHostPage(
      suite.context,
      host,
      `<script src="${app.url}/widget.js"></script>`,
      { fakeClock: true },
    );
    // The token is minted once the page and widget.js have loaded, so its short life has to
    // cover only the socket's handshake, not a page load on a busy machine (or the upgrade is
    // refused and the widget never gets online).
    const token = tokenFor('nina', { expiresIn: 5 });
    await page.evaluate(`(() => {
      const widget = document.createElement('herald-inbox');
      widget.setAttribute('token', ${JSON.stringify(token)});
      document.body.append(widget);
    })()`);
    await waitForStatus(page, 'online');
    await waitForStatus(page, 'unauthorized', 7000);
    await runTimers(page);
    expect(await connectionAttempts(page)).toEqual({ webSocket: 1, stream: 0 });
  });

  it('asks the getToken hook for a new token when one expires, and keeps delivering', async () => {
    let minted = 0;
    await suite.context.exposeFunction('mintToken', () => {
      minted += 1;
      return tokenFor('otto', { expiresIn: 2 });
    });
    const { page } = await openHostPage(
      suite.context,
      host,
      `<script src="${app.url}/widget.js"></script>
      <herald-inbox server="${app.url}"></herald-inbox>
      <script>document.querySelector('herald-inbox').getToken = () => window.mintToken();</script>`,
    );
    await openPanel(page);
    await waitForStatus(page, 'online');
    expect(minted).toBe(1);
    // At expiry the server closes the socket with 4401; the widget asks the hook and resumes.
    await eventually(() => minted >= 2, 4000, 'a second token from the hook');
    await waitForStatus(page, 'online', 2000);
    await publish(app, 'otto', 'After a renewed token');
    await itemTitled(page, 'After a renewed token').waitFor({ timeout: 2000 });
  }, 15_000);
});

describe('keyboard and screen readers', () => {
  it('opens with Enter, moves with the arrows, closes with Escape back to the bell', async () => {
    await publishInOrder(app, 'kai', ['First', 'Second']); // the keys below expect Second on top
    const { page } = await openHostPage(suite.context, host, embed(app, tokenFor('kai')));
    await waitForBadge(page, '2');
    const focused = async () => {
      const element = focusedInWidget(page);
      return (await element.count()) === 1 ? await element.getAttribute('class') : null;
    };
    const bell = page.locator('herald-inbox .bell');
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, 2 unread');
    expect(await bell.getAttribute('aria-expanded')).toBe('false');

    await page.keyboard.press('Tab');
    expect(await focused()).toBe('bell');
    await page.keyboard.press('Enter');
    expect(await bell.getAttribute('aria-expanded')).toBe('true');
    const panel = page.locator('herald-inbox [role="dialog"]');
    await panel.waitFor();
    expect(await focused()).toMatch(/^panel\b/);
    expect(await page.locator('herald-inbox #herald-heading').textContent()).toContain(
      'Notifications',
    );
    await items(page).nth(1).waitFor();

    await page.keyboard.press('ArrowDown');
    expect(await focusedInWidget(page).textContent()).toContain('Second');
    await page.keyboard.press('ArrowDown');
    expect(await focusedInWidget(page).textContent()).toContain('First');
    await page.keyboard.press('ArrowUp');
    expect(await focusedInWidget(page).textContent()).toContain('Second');
    expect(await items(page).first().locator('.mark').getAttribute('aria-label')).toBe(
      'Mark as read: Second',
    );

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await bell.getAttribute('aria-expanded')).toBe('false');
    expect(await focused()).toBe('bell');
  });

  it('announces a live notification in a polite live region', async () => {
    const { page } = await openHostPage(suite.context, host, embed(app, tokenFor('liv')));
    await waitForStatus(page, 'online');
    await publish(app, 'liv', 'Disk almost full');
    const region = page.locator('herald-inbox [role="status"][aria-live="polite"]');
    expect(await region.count()).toBe(1);
    await eventually(
      async () => (await region.textContent()) === 'New notification: Disk almost full',
      1000,
      'the announcement',
    );
  });
});

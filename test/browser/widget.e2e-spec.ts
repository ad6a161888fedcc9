/** The widget in a real browser against the real service: live delivery, sync, reconnect, safety. */
import { NotificationsGateway } from '../../src/realtime/notifications.gateway';
import { eventually, sql, type TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import {
  badgeCount,
  embed,
  itemTitled,
  items,
  openHostPage,
  openPanel,
  publish,
  publishInOrder,
  rowTitled,
  useBrowserSuite,
  waitForBadge,
  waitForStatus,
  waitForStored,
  type HostApp,
} from './browser-harness';

let app: TestApp;
let host: HostApp;

const suite = useBrowserSuite('widget');
beforeAll(() => {
  ({ app, host } = suite);
});

describe('the widget', () => {
  it('shows the unread count, then a notification published over REST within a second', async () => {
    await publishInOrder(app, 'ada', ['Welcome aboard', 'Your trial ends in 7 days']);

    const { page, errors } = await openHostPage(suite.context, host, embed(app, tokenFor('ada')));
    await waitForBadge(page, '2');
    await openPanel(page);
    await items(page).nth(1).waitFor();
    expect(await items(page).locator('.title').allTextContents()).toEqual([
      'Your trial ends in 7 days',
      'Welcome aboard',
    ]);

    const started = Date.now();
    await publish(app, 'ada', 'Invoice #1042 paid', { body: 'Acme Corp paid 1,200.00 EUR.' });
    await itemTitled(page, 'Invoice #1042 paid').waitFor({ timeout: 1000 });
    await waitForBadge(page, '3', 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await items(page).first().locator('.title').textContent()).toBe('Invoice #1042 paid');
    expect(await page.locator('herald-inbox .bell').getAttribute('aria-label')).toBe(
      'Notifications, 3 unread',
    );
    expect(errors).toEqual([]);
  });

  it('follows read state from another page of the same user', async () => {
    await publish(app, 'ben', 'Build #88 passed');
    await publish(app, 'ben', 'Build #89 failed');
    await publish(app, 'ben', 'Deploy finished');
    await waitForStored(app, 'ben', 3);
    const token = tokenFor('ben');
    const first = await openHostPage(suite.context, host, embed(app, token));
    const second = await openHostPage(suite.context, host, embed(app, token));
    await Promise.all([waitForBadge(first.page, '3'), waitForBadge(second.page, '3')]);
    await openPanel(first.page);
    await openPanel(second.page);

    await rowTitled(first.page, 'Build #89 failed').locator('.mark').click();
    await waitForBadge(first.page, '2', 500);
    await waitForBadge(second.page, '2', 1000);
    await eventually(
      async () =>
        (await rowTitled(second.page, 'Build #89 failed').getAttribute('class'))?.includes(' read'),
      1000,
      'the row read in the second page',
    );
    expect(await rowTitled(second.page, 'Build #88 passed').getAttribute('class')).toContain(
      'unread',
    );

    await second.page
      .locator('herald-inbox .header .link', { hasText: 'Mark all as read' })
      .click();
    await waitForBadge(first.page, '', 1000);
    await eventually(
      async () => (await first.page.locator('herald-inbox li.item.unread').count()) === 0,
      1000,
      'no unread rows in the first page',
    );
    expect(await first.page.locator('herald-inbox li.item.read').count()).toBe(3);
  });

  it('after the server drops its sockets, shows what was published meanwhile exactly once', async () => {
    await publish(app, 'cleo', 'Seen before the drop');
    await waitForStored(app, 'cleo', 1);
    const { page, sockets } = await openHostPage(suite.context, host, embed(app, tokenFor('cleo')));
    await openPanel(page);
    await itemTitled(page, 'Seen before the drop').waitFor();
    await waitForStatus(page, 'online');

    // The network goes away while the server drops every socket (a restart, a deploy).
    await suite.context.setOffline(true);
    app.app.get(NotificationsGateway).closeAll();
    await waitForStatus(page, 'offline');
    await publish(app, 'cleo', 'Published while disconnected');
    await waitForStored(app, 'cleo', 2);
    // No socket is open (the server closed them, the browser is offline): nothing can arrive.
    expect(await itemTitled(page, 'Published while disconnected').count()).toBe(0);
    expect(await page.locator('herald-inbox .banner').textContent()).toContain('offline');

    await suite.context.setOffline(false);
    await waitForStatus(page, 'online');
    await itemTitled(page, 'Published while disconnected').waitFor({ timeout: 2000 });
    await publishInOrder(app, 'cleo', ['Live after the reconnect', 'Last one'], 2);
    // The socket delivers in order: once the last one is shown, a duplicate the server had
    // sent before it would be shown too.
    await itemTitled(page, 'Last one').waitFor({ timeout: 2000 });
    expect(await items(page).locator('.title').allTextContents()).toEqual([
      'Last one',
      'Live after the reconnect',
      'Published while disconnected',
      'Seen before the drop',
    ]);
    expect(await badgeCount(page)).toBe('4');
    expect(sockets).toHaveLength(2);
  });

  it('reconnects by itself after a drop and misses nothing published right then', async () => {
    const { page } = await openHostPage(suite.context, host, embed(app, tokenFor('dina')));
    await openPanel(page);
    await waitForStatus(page, 'online');
    app.app.get(NotificationsGateway).closeAll();
    await Promise.all([1, 2, 3].map((i) => publish(app, 'dina', `Burst ${i}`)));
    await waitForStatus(page, 'online', 5000);
    await eventually(async () => (await items(page).count()) >= 3, 3000, 'three rows');
    // Stored after the burst, so delivered after it on the socket: a duplicate of the burst
    // would be shown by the time this is.
    await waitForStored(app, 'dina', 3);
    await publishInOrder(app, 'dina', ['After the burst'], 3);
    await itemTitled(page, 'After the burst').waitFor({ timeout: 2000 });
    const titles = await items(page).locator('.title').allTextContents();
    expect([...titles].sort()).toEqual(['After the burst', 'Burst 1', 'Burst 2', 'Burst 3']);
    expect(await badgeCount(page)).toBe('4');
  });

  it('renders HTML in a notification as text', async () => {
    const { page } = await openHostPage(suite.context, host, embed(app, tokenFor('eve')));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await openPanel(page);
    await waitForStatus(page, 'online');
    const title = '<img src=x onerror=alert(1)>';
    await publish(app, 'eve', title, { body: '<script>alert(2)</script><b>bold</b>' });
    await items(page).first().waitFor();

    // No element was made from the notification's HTML, so none can run (or alert) later.
    expect(await items(page).first().locator('.title').textContent()).toBe(title);
    expect(await items(page).first().locator('.body').textContent()).toBe(
      '<script>alert(2)</script><b>bold</b>',
    );
    expect(
      await page.locator('herald-inbox img, herald-inbox script, herald-inbox b').count(),
    ).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('loads older notifications as the list scrolls, newest first, each once', async () => {
    for (let i = 1; i <= 45; i++) await publish(app, 'finn', `Message ${i}`);
    await waitForStored(app, 'finn', 45);
    const { page } = await openHostPage(suite.context, host, embed(app, tokenFor('finn')));
    await openPanel(page);
    await eventually(async () => (await items(page).count()) === 20, 3000, 'the first page');
    for (const expected of [40, 45]) {
      await items(page).last().scrollIntoViewIfNeeded();
      await eventually(
        async () => (await items(page).count()) === expected,
        3000,
        `${expected} rows`,
      );
    }
    // Jobs run concurrently, so seq order (the inbox order) need not be publish order.
    const db = await sql(app.isolation);
    const stored = await db
      .query<{ title: string }>(
        `SELECT title FROM notifications WHERE user_id = 'finn' ORDER BY seq DESC`,
      )
      .finally(() => db.end());
    expect(await items(page).locator('.title').allTextContents()).toEqual(
      stored.rows.map((row) => row.title),
    );
    expect(await badgeCount(page)).toBe('45');
  });

  it('opens one socket per page for several widgets of the same user', async () => {
    await publish(app, 'gus', 'Shared');
    await waitForStored(app, 'gus', 1);
    const token = tokenFor('gus');
    const { page, sockets } = await openHostPage(
      suite.context,
      host,
      `${embed(app, token)}<herald-inbox token="${token}" server="${app.url}"></herald-inbox>`,
    );
    const badges = page.locator('herald-inbox .badge');
    await eventually(
      async () => (await badges.allTextContents()).join() === '1,1',
      2000,
      'both badges at 1',
    );
    await publish(app, 'gus', 'Second');
    await eventually(
      async () => (await badges.allTextContents()).join() === '2,2',
      1000,
      'both badges at 2',
    );
    expect(sockets).toEqual([`${app.wsUrl}`]);
  });
  it('names the sender of a notification, unless it is the recipient themselves', async () => {
    await publish(app, 'gil', 'From a service');
    await publish(
      app,
      'gil',
      'A note to self',
      {},
      tokenFor('gil', { scope: 'notifications:write' }),
    );
    await waitForStored(app, 'gil', 2);
    const { page, errors } = await openHostPage(suite.context, host, embed(app, tokenFor('gil')));
    await openPanel(page);
    await itemTitled(page, 'A note to self').waitFor();
    await itemTitled(page, 'From a service').waitFor();
    expect(await rowTitled(page, 'From a service').locator('.from').textContent()).toBe(
      'from billing-service',
    );
    expect(await rowTitled(page, 'A note to self').locator('.from').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});

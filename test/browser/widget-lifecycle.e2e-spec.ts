/**
 * The widget's inbox lifecycle in Chromium against the real service: tabs, archive / move back,
 * delete and snooze from the keyboard, "Archive all", the preferences panel, each reflected
 * on another page of the same user within a second.
 */
import type { Page } from 'playwright-core';
import { eventually, sql, type TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import {
  embed,
  focusedInWidget,
  items,
  openHostPage,
  openPanel,
  publish,
  rowTitled,
  useBrowserSuite,
  waitForBadge,
  waitForStored,
  type HostApp,
} from './browser-harness';

let app: TestApp;
let host: HostApp;

const suite = useBrowserSuite('widgetlifecycle');
beforeAll(() => {
  ({ app, host } = suite);
});

const titles = (page: Page) => items(page).locator('.title').allTextContents();
const tab = (page: Page, name: 'inbox' | 'archived' | 'settings') =>
  page.locator(`herald-inbox .tab-${name}`);

/**
 * Two pages of one user with `titles` published one by one, both panels open; `order` is the
 * titles as the inbox lists them. Publishes accepted separately may be stored by concurrent jobs,
 * so their seqs (the list's order, newest first) follow commit order, not `published`'s.
 */
async function twoDevices(userId: string, published: string[], before = 0) {
  for (const title of published) await publish(app, userId, title);
  const total = before + published.length;
  await waitForStored(app, userId, total);
  const token = tokenFor(userId);
  const first = await openHostPage(suite.context, host, embed(app, token));
  const second = await openHostPage(suite.context, host, embed(app, token));
  for (const { page } of [first, second]) {
    await waitForBadge(page, String(total));
    await openPanel(page);
    await items(page)
      .nth(total - 1)
      .waitFor();
  }
  const order = await titles(first.page);
  expect(await titles(second.page)).toEqual(order);
  return {
    first: first.page,
    second: second.page,
    order,
    errors: [...first.errors, ...second.errors],
  };
}

async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  await eventually(check, ms, what);
}

describe('the widget inbox lifecycle', () => {
  it('archives a row, shows it under Archived, moves it back; the other page follows', async () => {
    const { first, second, order, errors } = await twoDevices('arch', ['Alpha', 'Beta', 'Gamma']);
    const rest = order.filter((title) => title !== 'Beta').join();
    await rowTitled(first, 'Beta').locator('.archive').click();
    expect((await titles(first)).join()).toBe(rest);
    await waitForBadge(first, '2', 1000);
    await within(
      1000,
      'archived on the other page',
      async () => (await titles(second)).join() === rest,
    );
    await waitForBadge(second, '2', 1000);

    await tab(second, 'archived').click();
    await rowTitled(second, 'Beta').waitFor({ timeout: 2000 });
    expect(await tab(second, 'archived').getAttribute('aria-selected')).toBe('true');
    expect(await rowTitled(second, 'Beta').locator('.archive').isVisible()).toBe(false);
    await rowTitled(second, 'Beta').locator('.unarchive').click();
    await within(
      1000,
      'back in the first page inbox',
      async () => (await titles(first)).join() === order.join(),
    );
    expect(errors).toEqual([]);
  });

  it('deletes with the keyboard (Tab to the button, Enter); the other page follows', async () => {
    const { first, second } = await twoDevices('del', ['One', 'Two']);
    await rowTitled(first, 'Two').locator('.main').focus();
    // main → mark as read → snooze → archive → delete
    for (let i = 0; i < 4; i++) await first.keyboard.press('Tab');
    expect(await focusedInWidget(first).getAttribute('aria-label')).toBe('Delete: Two');
    await first.keyboard.press('Enter');
    expect(await titles(first)).toEqual(['One']);
    await within(
      1000,
      'deleted on the other page',
      async () => (await titles(second)).join() === 'One',
    );
    const db = await sql(app.isolation);
    try {
      const rows = await db.query(`SELECT title FROM notifications WHERE user_id = 'del'`);
      expect(rows.rows.map((r: { title: string }) => r.title)).toEqual(['One']);
    } finally {
      await db.end();
    }
  });

  it('archives all from the header; the other page empties too', async () => {
    const { first, second, order } = await twoDevices('all', ['A1', 'A2', 'A3']);
    await first.locator('herald-inbox .archive-all').click();
    await within(1000, 'first page empty', async () => (await items(first).count()) === 0);
    await within(1000, 'second page empty', async () => (await items(second).count()) === 0);
    await waitForBadge(second, '', 1000);
    await tab(first, 'archived').click();
    await within(2000, 'all archived', async () => (await titles(first)).join() === order.join());
  });

  it('snoozes with a preset from the keyboard; Escape closes the menu, not the panel', async () => {
    const { first, second } = await twoDevices('snz', ['Later', 'Now']);
    const row = rowTitled(first, 'Later');
    await row.locator('.snooze').focus();
    await first.keyboard.press('Enter');
    expect(await focusedInWidget(first).textContent()).toBe('Later today');
    await first.keyboard.press('Escape');
    expect(await row.locator('.snooze-menu').isVisible()).toBe(false);
    expect(await first.locator('herald-inbox .panel').isVisible()).toBe(true);
    expect(await focusedInWidget(first).getAttribute('aria-label')).toBe('Snooze: Later');

    await first.keyboard.press('Enter');
    await first.keyboard.press('ArrowDown');
    expect(await focusedInWidget(first).textContent()).toBe('Tomorrow');
    const started = Date.now();
    await first.keyboard.press('Enter');
    expect(await titles(first)).toEqual(['Now']);
    await within(
      1000,
      'snoozed on the other page',
      async () => (await titles(second)).join() === 'Now',
    );
    expect(Date.now() - started).toBeLessThan(1500);
    const db = await sql(app.isolation);
    try {
      const { rows } = await db.query<{ until: Date }>(
        `SELECT snoozed_until AS until FROM notifications WHERE user_id = 'snz' AND title = 'Later'`,
      );
      const until = rows[0].until;
      expect(until.getHours()).toBe(9);
      expect(until.getTime() - Date.now()).toBeGreaterThan(60_000);
      expect(until.getTime() - Date.now()).toBeLessThan(2 * 24 * 3600_000);
    } finally {
      await db.end();
    }
  });

  it('lists received types with an in-app switch; a change shows on the other page and mutes', async () => {
    await publish(app, 'prefs', 'Spring sale', { type: 'promo.spring' });
    await waitForStored(app, 'prefs', 1);
    const { first, second } = await twoDevices('prefs', ['Hello'], 1);
    for (const page of [first, second]) {
      await tab(page, 'settings').click();
      await page.locator('herald-inbox .pref').nth(1).waitFor({ timeout: 2000 });
    }
    expect(await first.locator('herald-inbox .pref-type').allTextContents()).toEqual([
      'promo.spring',
      'test.message',
    ]);
    const promo = (page: Page) =>
      page.locator('herald-inbox .pref-switch[data-type="promo.spring"][data-channel="inApp"]');
    expect(await promo(first).isChecked()).toBe(true);
    await promo(first).focus();
    await first.keyboard.press('Space');
    await within(
      1000,
      'switch off on the other page',
      async () => !(await promo(second).isChecked()),
    );
    expect(await first.locator('herald-inbox .pref-switch[data-channel="push"]').count()).toBe(0);

    await publish(app, 'prefs', 'Summer sale', { type: 'promo.spring' });
    await publish(app, 'prefs', 'Your report', { type: 'test.message' });
    await tab(second, 'inbox').click();
    await rowTitled(second, 'Your report').waitFor({ timeout: 2000 });
    expect(await titles(second)).toEqual(['Your report', 'Hello', 'Spring sale']);
  });
});

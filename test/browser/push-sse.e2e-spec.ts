/**
 * In Chromium: the demo page's "Turn on push" registers Herald's service worker, which shows a
 * push delivered through the DevTools protocol (no real push service is reachable here); and
 * the widget, with `/ws` refused, falls back to server-sent events and still shows
 * notifications live, with the token in a header and never in a URL.
 */
import type { Page } from 'playwright-core';
import webpush from 'web-push';
import type { TestApp } from '../support/test-app';
import { eventually } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import {
  embed,
  itemTitled,
  openHostPage,
  openPanel,
  publish,
  useBrowserSuite,
  waitForBadge,
  waitForStatus,
} from './browser-harness';

const vapid = webpush.generateVAPIDKeys();
let app: TestApp;

const suite = useBrowserSuite('pushsse', {
  WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
  WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
  WEB_PUSH_SUBJECT: 'mailto:push-tests@example.com',
});
beforeAll(() => {
  app = suite.app;
});

interface Shown {
  title: string;
  body: string;
  tag: string;
  data: { id?: string; url?: string | null };
}

/** What the page side uses of the Service Worker API (this Node tsconfig has no DOM types). */
interface PageGlobal {
  navigator: {
    serviceWorker: {
      getRegistration(path: string): Promise<
        | {
            active: unknown;
            getNotifications(): Promise<
              { title: string; body: string; tag: string; data: unknown }[]
            >;
          }
        | undefined
      >;
    };
  };
}

const shownNotifications = (page: Page) =>
  page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobal;
    const registration = await page.navigator.serviceWorker.getRegistration('/push-sw.js');
    const shown = (await registration?.getNotifications()) ?? [];
    return shown.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      data: n.data as Shown['data'],
    }));
  });

const workerActive = (page: Page) =>
  page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobal;
    return !!(await page.navigator.serviceWorker.getRegistration('/push-sw.js'))?.active;
  });

describe('Web Push in the browser', () => {
  it("shows a push with the demo page's worker: title, body, tag = id, and the click target", async () => {
    await suite.context.grantPermissions(['notifications'], { origin: app.url });
    const page = await suite.context.newPage();
    await page.goto(app.url);
    await page.getByLabel('User name', { exact: true }).fill('pia');
    await page.getByRole('button', { name: 'Open inbox' }).click();
    await waitForStatus(page, 'online');
    await openPanel(page);
    const toggle = page.locator('herald-inbox button.push');
    await toggle.waitFor({ state: 'visible' });
    expect(await toggle.textContent()).toBe('Turn on push');

    const cdp = await suite.context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await toggle.click();
    // Subscribing needs a real push service (unreachable here): the worker is what is tested.
    await eventually(() => workerActive(page), 10_000, 'the worker active');
    const registrationId = await eventually(() => registrations.get(`${app.url}/`), 5000, 'its id');

    const id = '0b9a7c1e-2f3d-4c5b-8a69-7e8f9a0b1c2d';
    const push = {
      id,
      seq: 3,
      type: 'invoice.paid',
      title: 'Invoice paid',
      body: 'Thanks!',
      data: { url: '/invoices/7' },
      createdAt: new Date().toISOString(),
    };
    for (let i = 0; i < 2; i++) {
      // twice: the tag collapses a repeated push into one notification
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: `${app.url}/`.slice(0, -1),
        registrationId,
        data: JSON.stringify(push),
      });
    }
    const shown = await eventually(
      async () => {
        const list = await shownNotifications(page);
        return list.length ? list : null;
      },
      10_000,
      'a shown notification',
    );
    expect(shown).toEqual([
      {
        title: 'Invoice paid',
        body: 'Thanks!',
        tag: id,
        data: { id, seq: 3, type: 'invoice.paid', url: `${app.url}/invoices/7` },
      },
    ]);
  });
});

describe('the SSE fallback', () => {
  it('shows notifications live over /v1/stream when the WebSocket is refused', async () => {
    await suite.context.routeWebSocket(/\/ws$/, (ws) => ws.close({ code: 1006 }));
    const streams: { url: string; authorization?: string }[] = [];
    suite.context.on('request', (r) => {
      if (r.url().includes('/v1/stream'))
        streams.push({ url: r.url(), authorization: r.headers()['authorization'] });
    });
    const token = tokenFor('wes');
    const { page, errors } = await openHostPage(suite.context, suite.host, embed(app, token));
    await waitForStatus(page, 'online', 10_000);
    expect(streams.length).toBeGreaterThan(0);
    expect(
      streams.every((s) => !s.url.includes(token) && s.authorization === `Bearer ${token}`),
    ).toBe(true);

    await publish(app, 'wes', 'Through the proxy');
    await waitForBadge(page, '1', 5000);
    await openPanel(page);
    await itemTitled(page, 'Through the proxy').waitFor();
    expect(errors.filter((e) => !/WebSocket/.test(e))).toEqual([]);
  });
});

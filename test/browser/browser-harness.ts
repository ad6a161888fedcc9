/**
 * Real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against the real app.
 * The widget is embedded the way a customer embeds it: two lines in a page of another origin
 * (a small host-app server on its own port), loading widget.js from the test app.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { HeraldClient } from '../../src/client';
import { notificationBody } from '../support/factories';
import { eventually, sql, type TestApp } from '../support/test-app';
import { serviceToken } from '../support/tokens';
import { useTestApp, type TestHerald } from '../support/use-test-app';

export const ARTIFACTS = 'test-artifacts';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface HostPage {
  page: Page;
  /** Uncaught errors and console errors of the page (a healthy widget logs none). */
  errors: string[];
  /** Every WebSocket the page opened. */
  sockets: string[];
}

/**
 * The host app: serves each page registered with `openHostPage` from 127.0.0.1 on a port of
 * its own, so the widget runs cross-origin to Herald, as on a customer's site.
 */
export class HostApp {
  private readonly pages = new Map<string, string>();
  private readonly server: Server;
  private next = 0;
  origin = '';

  private constructor() {
    this.server = createServer((req, res) => {
      if (req.url === '/favicon.ico') return void res.writeHead(204).end();
      const html = this.pages.get(req.url ?? '');
      res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html ?? 'not found');
    });
  }

  static async start(): Promise<HostApp> {
    const host = new HostApp();
    await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve));
    host.origin = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
    return host;
  }

  /** Registers a page whose body is `body`; returns its URL. */
  page(body: string): string {
    const path = `/page-${++this.next}`;
    this.pages.set(
      path,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>${body}</body></html>`,
    );
    return this.origin + path;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Opens a new page of the host app whose body is `body`. `fakeClock`: the page's timers are
 * Playwright's (time flows as usual until a test moves it with `page.clock.runFor`), and the
 * page counts the connections it starts (`connectionAttempts`).
 */
export async function openHostPage(
  context: BrowserContext,
  host: HostApp,
  body: string,
  options: { fakeClock?: boolean } = {},
): Promise<HostPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  const sockets: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('websocket', (socket) => sockets.push(socket.url()));
  if (options.fakeClock) {
    await page.clock.install();
    await page.addInitScript(COUNT_CONNECTION_ATTEMPTS);
  }
  await page.goto(host.page(body));
  return { page, errors, sockets };
}

/**
 * Counts, as they are made, the WebSockets the page constructs and its fetches of the event
 * stream: counted in the page, not from Playwright's events, so a count read right after
 * `page.clock.runFor` already holds what the fired timers started.
 */
const COUNT_CONNECTION_ATTEMPTS = `(() => {
  window.__attempts = { webSocket: 0, stream: 0 };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      window.__attempts.webSocket += 1;
    }
  };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (new URL(url, location.href).pathname === '/v1/stream') window.__attempts.stream += 1;
    return nativeFetch(input, init);
  };
})()`;

/** Connections the page started (a page opened with `fakeClock`). */
export function connectionAttempts(page: Page): Promise<{ webSocket: number; stream: number }> {
  return page.evaluate<{ webSocket: number; stream: number }>('window.__attempts');
}

/**
 * Fires every timer a page opened with `fakeClock` would fire in the next `ms` (the widget's
 * longest wait is its five-minute WebSocket retry from the stream fallback).
 */
export async function runTimers(page: Page, ms = 10 * 60_000): Promise<void> {
  await page.clock.runFor(ms);
}

/** The two-line embed of the README. */
export function embed(app: TestApp, token: string, attributes = ''): string {
  return `<script src="${app.url}/widget.js"></script>
<herald-inbox token="${token}" ${attributes}></herald-inbox>`;
}

/** The `status` property of the (first) widget on the page. */
export function widgetStatus(page: Page): Promise<string | null | undefined> {
  // `unknown`: this (Node) tsconfig has no DOM types, on purpose.
  return page
    .locator('herald-inbox')
    .first()
    .evaluate((element: unknown) => (element as { status?: string | null }).status);
}

/** Waits until the (first) widget on the page reports `status`. */
export async function waitForStatus(page: Page, status: string, timeout = 5000): Promise<void> {
  await eventually(async () => (await widgetStatus(page)) === status, timeout, `status ${status}`);
}

/** The element focused inside the widget (Playwright's CSS pierces its open shadow root). */
export const focusedInWidget = (page: Page) => page.locator('herald-inbox :focus');

/** The row (li) of the notification titled `title`. */
export const rowTitled = (page: Page, title: string) =>
  page.locator('herald-inbox li.item', {
    has: page.locator('.title', { hasText: title }),
  });

export const badge = (page: Page) => page.locator('herald-inbox .badge');
export const items = (page: Page) => page.locator('herald-inbox li.item');
export const itemTitled = (page: Page, title: string) =>
  page.locator('herald-inbox li.item .title', { hasText: title });

/** The badge's text, '' when it is hidden (no unread). */
export async function badgeCount(page: Page): Promise<string> {
  const element = badge(page);
  return (await element.isVisible()) ? ((await element.textContent()) ?? '') : '';
}

export async function waitForBadge(page: Page, text: string, timeout = 2000): Promise<void> {
  await eventually(async () => (await badgeCount(page)) === text, timeout, `badge "${text}"`);
}

export async function openPanel(page: Page): Promise<void> {
  await page.locator('herald-inbox .bell').click();
  await page.locator('herald-inbox .panel').waitFor({ state: 'visible' });
}

/** POST /v1/notifications to one user, as a service; resolves once it is queued (202). */
export async function publish(
  app: TestApp,
  userId: string,
  title: string,
  extra: Record<string, unknown> = {},
  token = serviceToken(),
): Promise<void> {
  const service = new HeraldClient({ baseUrl: app.url, token });
  await service.publish(notificationBody(userId, { title, ...extra }));
}

/**
 * Publishes `titles` to `userId` one at a time, each stored before the next is sent, so that
 * their seqs (the inbox's order, newest first) follow this order: publishes accepted
 * separately may otherwise commit, and get their seqs, in either order. `before`: how many
 * notifications the user already has.
 */
export async function publishInOrder(
  app: TestApp,
  userId: string,
  titles: readonly string[],
  before = 0,
): Promise<void> {
  for (const [k, title] of titles.entries()) {
    await publish(app, userId, title);
    await waitForStored(app, userId, before + k + 1);
  }
}

/** Waits until `count` notifications of `userId` are stored. */
export async function waitForStored(app: TestApp, userId: string, count: number): Promise<void> {
  const db = await sql(app.isolation);
  try {
    await eventually(
      async () =>
        (await db.query('SELECT 1 FROM notifications WHERE user_id = $1', [userId])).rowCount ===
        count,
      5000,
      `${count} stored notifications of ${userId}`,
    );
  } finally {
    await db.end();
  }
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}/${name}`;
}

export interface BrowserSuite {
  herald: TestHerald;
  app: TestApp;
  browser: Browser;
  host: HostApp;
  /** The current test's own context (cookies, storage, pages), closed after it. */
  context: BrowserContext;
}

/**
 * The app (useTestApp: own database and Redis prefix), Chromium and the host app, started
 * together before the suite's tests and closed after them; a browser context per test unless
 * `contextPerTest` is false. The app runs in development (any
 * browser origin, the demo), as on a developer's machine: the host app's origin (a free port)
 * is known only once it listens.
 */
export function useBrowserSuite(
  name: string,
  env: Record<string, string> = {},
  options: { contextPerTest?: boolean } = {},
): BrowserSuite {
  let launching: Promise<[Browser, HostApp]> | undefined;
  let started: [Browser, HostApp] | undefined;
  let context: BrowserContext | undefined;
  // Chromium and the host app start while the app boots (hooks run in declaration order).
  beforeAll(() => {
    launching = Promise.all([launchBrowser(), HostApp.start()]);
    launching.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  });
  afterAll(async () => {
    const [browser, host] = started ?? (await launching?.catch(() => undefined)) ?? [];
    await browser?.close();
    await host?.close();
  });
  const herald = useTestApp({ name, env: { NODE_ENV: 'development', ...env } });
  beforeAll(async () => {
    started = await launching;
  });
  if (options.contextPerTest ?? true) {
    beforeEach(async () => {
      context = await ready()[0].newContext();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
  }
  const ready = () => {
    if (!started) throw new Error('useBrowserSuite: started in beforeAll; use it inside tests');
    return started;
  };
  return {
    herald,
    get app() {
      return herald.app;
    },
    get browser() {
      return ready()[0];
    },
    get host() {
      return ready()[1];
    },
    get context() {
      if (!context) throw new Error('useBrowserSuite: a context exists only inside a test');
      return context;
    },
  };
}

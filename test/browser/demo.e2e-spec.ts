/**
 * The demo page at `/` in a real browser, the demo endpoints, and how the app serves the widget.
 * Also saves the screenshot of the open panel (test-artifacts/widget-panel.png; with
 * UPDATE_DOCS_SCREENSHOT=1 also docs/widget-panel.png, the README's picture).
 * Length: one subject, the demo (its users, page and endpoints), on one development-mode app and
 * one browser context shared by every test.
 */
import { copyFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { sql, type TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import { HeraldSocket } from '../../src/client';
import {
  artifactPath,
  itemTitled,
  items,
  openPanel,
  publish,
  useBrowserSuite,
  waitForBadge,
  waitForStatus,
  waitForStored,
} from './browser-harness';

let app: TestApp;
let context: BrowserContext;

const suite = useBrowserSuite('demo', {}, { contextPerTest: false }); // one context, below
beforeAll(() => {
  app = suite.app;
});

beforeEach(async () => {
  context = await suite.browser.newContext({ viewport: { width: 1100, height: 760 } });
});

afterEach(async () => {
  await context.close();
});

async function openDemo(path = '/'): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(app.url + path);
  return { page, errors };
}

async function demoToken(name: string): Promise<string> {
  const minted = await request(app.url).post('/demo/token').send({ userId: name });
  expect(minted.status).toBe(200);
  return minted.body.token as string;
}

describe('demo users', () => {
  it('are demo:<name>: a demo token never reads or gets the real user of that name', async () => {
    const token = await demoToken('alice');
    const demo = suite.herald.client(token);
    const socket = await demo.connect();
    await publish(app, 'alice', 'for the real alice');
    await publish(app, 'demo:alice', 'for demo alice');
    await waitForStored(app, 'alice', 1);
    await waitForStored(app, 'demo:alice', 1);
    expect((await socket.next('notification')).title).toBe('for demo alice');
    const inbox = await demo.inbox.list();
    expect(inbox.items.map((n) => n.title)).toEqual(['for demo alice']);
    expect(await suite.herald.as('alice').inbox.unreadCount()).toBe(1);
  });

  it('cannot be reached with a real token: a real sub in the demo namespace is refused', async () => {
    const forged = tokenFor('demo:alice');
    const rest = await request(app.url)
      .get('/v1/notifications')
      .set('Authorization', `Bearer ${forged}`);
    expect(rest.status).toBe(401);
    expect(await HeraldSocket.upgradeStatus(`${app.wsUrl}?token=${forged}`)).toBe(401);
    expect(
      await HeraldSocket.upgradeStatus(app.wsUrl, { protocols: ['herald.v1', `bearer.${forged}`] }),
    ).toBe(401);
    // the control: a service may still publish to a demo user, and the demo user reads it
    await suite.herald.publish('demo:bea', { type: 't', title: 'hi bea' });
  });

  it('have no service rights, and a tampered demo token is refused', async () => {
    const token = await demoToken('mallory');
    const publishAs = (bearer: string) =>
      request(app.url)
        .post('/v1/notifications')
        .set('Authorization', `Bearer ${bearer}`)
        .send({ userIds: ['alice'], type: 't', title: 'x' });
    expect((await publishAs(token)).status).toBe(403);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const scoped = Buffer.from(JSON.stringify({ ...claims, scope: 'notifications:write' }));
    expect((await publishAs(`${header}.${scoped.toString('base64url')}.${signature}`)).status).toBe(
      401,
    );
  });
});

describe('the demo page', () => {
  it('gets a newcomer from a user name to a live notification in the widget', async () => {
    const { page, errors } = await openDemo();
    expect(await page.locator('h1').textContent()).toContain('Notifications');
    expect(await page.locator('herald-inbox').isHidden()).toBe(true);

    await page.getByLabel('User name', { exact: true }).fill('zoe');
    await page.getByRole('button', { name: 'Open inbox' }).click();
    await waitForStatus(page, 'online');
    expect(new URL(page.url()).searchParams.get('user')).toBe('zoe');

    await page.getByLabel('Title', { exact: true }).fill('Hello from the demo');
    await page.getByRole('button', { name: 'Publish' }).click();
    await waitForBadge(page, '1');
    await openPanel(page);
    await itemTitled(page, 'Hello from the demo').waitFor();

    // A second tab of the same user (the page's own link) sees the same inbox.
    const second = await context.newPage();
    await second.goto(`${app.url}/?user=zoe`);
    await waitForBadge(second, '1');
    expect(errors).toEqual([]); // includes CSP violations: the page runs without inline script
  });

  it('mints a user token, publishes only to its holder, and validates input', async () => {
    const minted = await request(app.url).post('/demo/token').send({ userId: 'yan' });
    expect(minted.status).toBe(200);
    expect(minted.body).toEqual({
      userId: 'demo:yan',
      token: expect.any(String),
      expiresIn: 900,
    });
    const count = await request(app.url)
      .get('/v1/notifications/unread-count')
      .set('Authorization', `Bearer ${minted.body.token}`);
    expect(count.body).toEqual({ count: 0 });

    for (const userId of ['', 'with space', 'x'.repeat(65), 42]) {
      const bad = await request(app.url).post('/demo/token').send({ userId });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.message)).toContain('userId');
    }
    const extra = await request(app.url)
      .post('/demo/token')
      .send({ userId: 'yan', scope: 'admin' });
    expect(extra.status).toBe(400);

    expect((await request(app.url).post('/demo/publish').send({ title: 'x' })).status).toBe(401);
    const published = await request(app.url)
      .post('/demo/publish')
      .set('Authorization', `Bearer ${minted.body.token}`)
      .send({ title: 'Demo title', body: 'Demo body' });
    expect(published.status).toBe(202);
    await waitForStored(app, 'demo:yan', 1);
    const db = await sql(app.isolation);
    try {
      const rows = await db.query(
        'SELECT user_id, type, title, body FROM notifications WHERE title = $1',
        ['Demo title'],
      );
      expect(rows.rows).toEqual([
        { user_id: 'demo:yan', type: 'demo.message', title: 'Demo title', body: 'Demo body' },
      ]);
    } finally {
      await db.end();
    }
    const noTitle = await request(app.url)
      .post('/demo/publish')
      .set('Authorization', `Bearer ${minted.body.token}`)
      .send({ title: '' });
    expect(noTitle.status).toBe(400);
  });

  it('serves widget.js without a token, cacheable and revalidated', async () => {
    const first = await request(app.url).get('/widget.js');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/javascript/);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(first.text).toContain('herald-inbox');
    const again = await request(app.url)
      .get('/widget.js')
      .set('If-None-Match', first.headers['etag']);
    expect(again.status).toBe(304);
    const page = await request(app.url).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('has no token or publish route with demo mode off, and says so on the page', async () => {
    const off = await suite.herald.startInstance({ DEMO: 'false' });
    try {
      expect((await request(off.url).post('/demo/token').send({ userId: 'ada' })).status).toBe(404);
      const publishOff = await request(off.url)
        .post('/demo/publish')
        .set('Authorization', `Bearer ${tokenFor('ada')}`)
        .send({ title: 'x' });
      expect(publishOff.status).toBe(404);
      expect((await request(off.url).get('/widget.js')).status).toBe(200);
      const page = await context.newPage();
      await page.goto(`${off.url}/?user=ada`);
      await page.locator('#demo-off').waitFor();
      expect(await page.locator('#demo-steps').isHidden()).toBe(true);
      expect(await page.locator('herald-inbox').isHidden()).toBe(true);
    } finally {
      await off.close();
    }
  });

  it('saves a screenshot of the open panel', async () => {
    const path = artifactPath('widget-panel.png');
    const seed: [string, string][] = [
      ['Welcome to Acme Projects', 'Your workspace is ready. Invite your team to get started.'],
      ['Ada Lovelace assigned you “Ship v1.2”', 'Due Friday. Ada added 3 subtasks.'],
      ['Build #1289 failed on main', 'test/checkout.spec.ts: 2 failing tests'],
      ['Invoice #1042 paid', 'Globex Corp paid €1,200.00 by card.'],
      ['Grace Hopper mentioned you', '“Can you review the deploy checklist before 5 pm?”'],
    ];
    // The page signs in demo user ada: demo:ada, not the real user ada.
    for (const [title, body] of seed) await publish(app, 'demo:ada', title, { body });
    await waitForStored(app, 'demo:ada', seed.length);
    const ada = await demoToken('ada');
    const db = await sql(app.isolation);
    try {
      await db.query(
        `UPDATE notifications SET created_at = created_at - (6 - seq) * interval '47 minutes'
         WHERE user_id = 'demo:ada' AND seq <= 2`,
      );
      // Read state goes through the API: it keeps the user's unread count.
      const older = await db.query(
        `SELECT id FROM notifications WHERE user_id = 'demo:ada' AND seq <= 2`,
      );
      await request(app.url)
        .post('/v1/notifications/read')
        .set('Authorization', `Bearer ${ada}`)
        .send({ ids: older.rows.map((row: { id: string }) => row.id) })
        .expect(200);
      await db.query(
        `UPDATE notifications SET created_at = created_at - (6 - seq) * interval '9 minutes'
         WHERE user_id = 'demo:ada' AND seq > 2`,
      );
    } finally {
      await db.end();
    }
    const shot = await suite.browser.newContext({
      viewport: { width: 1100, height: 720 },
      deviceScaleFactor: 2,
    });
    try {
      const page = await shot.newPage();
      await page.goto(`${app.url}/?user=ada`);
      await waitForBadge(page, '3');
      await openPanel(page);
      await items(page)
        .nth(seed.length - 1)
        .waitFor();
      // The product shot: the app bar and the open panel, over an empty page.
      await page.addStyleTag({ content: 'main { visibility: hidden; }' });
      await page.mouse.move(0, 700);
      const panel = await page.locator('herald-inbox .panel').boundingBox();
      if (!panel) throw new Error('the panel is not laid out');
      const x = panel.x - 180;
      await page.screenshot({
        path,
        clip: { x, y: 0, width: 1100 - x, height: panel.y + panel.height + 28 },
      });
    } finally {
      await shot.close();
    }
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(path, 'docs/widget-panel.png');
  });
});

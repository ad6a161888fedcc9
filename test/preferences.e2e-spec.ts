/**
 * Preferences: read and merged by the user or by a service, validated, pushed as `preferences`
 * to every socket of the user, applied when a publication is stored (muted in-app: no row, no
 * push, no count, but a metric), `critical` ignoring them, the most specific pattern winning,
 * and `mutedForPush` for the Web Push path.
 */
import request from 'supertest';
import { PreferencesService } from '../src/notifications/preferences/preferences.service';
import { inboxClient } from './support/inbox-client';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  sql,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('preferences');
let app: TestApp;
let second: TestApp;
const sockets: TestSocket[] = [];
let n = 0;
const user = (name: string) => `${name}-${++n}`;
const api = inboxClient(() => app);
const service = `Bearer ${serviceToken()}`;

const mine = (userId: string) => ({
  get: () =>
    request(app.url)
      .get('/v1/me/preferences')
      .set('Authorization', `Bearer ${tokenFor(userId)}`),
  patch: (body: unknown) =>
    request(app.url)
      .patch('/v1/me/preferences')
      .set('Authorization', `Bearer ${tokenFor(userId)}`)
      .send(body as object),
});

async function mutedMetric(channel: string): Promise<number> {
  const text = (await request(app.url).get('/metrics')).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`herald_notifications_muted_total{channel="${channel}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function connect(userId: string, on: TestApp = app): Promise<TestSocket> {
  const socket = await TestSocket.connect(on.wsUrl, tokenFor(userId));
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  app = await startTestApp(isolation);
  second = await startTestApp(isolation);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await second?.close();
  await app?.close();
  await destroyIsolation(isolation);
});

describe('the preferences document', () => {
  it('defaults to everything on, merges patches, removes a pattern set to null', async () => {
    const alice = user('alice');
    await mine(alice)
      .get()
      .expect(200, { channels: { inApp: true, push: true }, types: {} });
    await mine(alice)
      .patch({ types: { 'marketing.*': { inApp: false }, 'task.due': { push: false } } })
      .expect(200, {
        channels: { inApp: true, push: true },
        types: { 'marketing.*': { inApp: false }, 'task.due': { push: false } },
      });
    await mine(alice)
      .patch({
        channels: { push: false },
        types: { 'task.due': { inApp: true }, 'marketing.*': null },
      })
      .expect(200, {
        channels: { inApp: true, push: false },
        types: { 'task.due': { inApp: true, push: false } },
      });
    await mine(alice)
      .get()
      .expect(200, {
        channels: { inApp: true, push: false },
        types: { 'task.due': { inApp: true, push: false } },
      });
  });

  it('lets a service read and change a user’s, with notifications:write only', async () => {
    const bob = user('bob');
    const path = `/v1/users/${bob}/preferences`;
    await request(app.url)
      .get(path)
      .set('Authorization', `Bearer ${tokenFor('mallory')}`)
      .expect(403);
    await request(app.url)
      .patch(path)
      .set('Authorization', `Bearer ${tokenFor(bob)}`)
      .send({ channels: { inApp: false } })
      .expect(403);
    await request(app.url)
      .patch(path)
      .set('Authorization', service)
      .send({ types: { 'news.*': { inApp: false } } })
      .expect(200);
    const own = await mine(bob).get().expect(200);
    expect(own.body.types).toEqual({ 'news.*': { inApp: false } });
    await request(app.url).get(path).set('Authorization', service).expect(200, own.body);
    await request(app.url)
      .get(`/v1/users/${'x'.repeat(129)}/preferences`)
      .set('Authorization', service)
      .expect((response) => expect([400, 414]).toContain(response.status));
  });

  it('answers 400 naming what is wrong', async () => {
    const carol = user('carol');
    const bad: [unknown, string][] = [
      [{ types: { '*': { inApp: false } } }, 'types.*'],
      [{ types: { 'a.*.b': { inApp: false } } }, 'types.a.*.b'],
      [{ types: { 'a.b': { email: false } } }, 'types.a.b.email'],
      [{ types: { 'a.b': { inApp: 'no' } } }, 'types.a.b.inApp'],
      [{ types: { 'a.b': {} } }, 'types.a.b'],
      [{ types: ['a'] }, 'types'],
      [{ channels: { inApp: 'yes' } }, 'inApp'],
      [{ channels: { sms: true } }, 'sms'],
      [{ colour: 'red' }, 'colour'],
      [
        {
          types: Object.fromEntries(
            Array.from({ length: 201 }, (_, i) => [`t${i}`, { inApp: false }]),
          ),
        },
        '200',
      ],
    ];
    for (const [body, field] of bad) {
      const response = await mine(carol).patch(body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    // At most 200 patterns per user in all, across patches, and nothing changed by a refused one.
    const half = (from: number) =>
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${from + i}`, { inApp: false }]));
    await mine(carol)
      .patch({ types: half(0) })
      .expect(200);
    await mine(carol)
      .patch({ types: half(150) })
      .expect(400);
    expect(Object.keys((await mine(carol).get()).body.types)).toHaveLength(150);
  });

  it('pushes the whole document as `preferences` to every socket of the user', async () => {
    const dave = user('dave');
    const phone = await connect(dave);
    const laptop = await connect(dave, second);
    const changed = await mine(dave)
      .patch({ types: { 'promo.*': { inApp: false } } })
      .expect(200);
    expect(await phone.next('preferences')).toEqual(changed.body);
    expect(await laptop.next('preferences')).toEqual(changed.body);
  });
});

describe('applied when stored', () => {
  it('stores, pushes and counts nothing for a muted type, counts it in the metric', async () => {
    const erin = user('erin');
    const frank = user('frank');
    await mine(erin)
      .patch({ types: { 'promo.*': { inApp: false } } })
      .expect(200);
    const socket = await connect(erin);
    const before = await mutedMetric('inApp');
    await api.publish({ userIds: [erin, frank], type: 'promo.spring', title: 'Sale' }).expect(202);
    await eventually(async () => (await mutedMetric('inApp')) >= before + 1, 8000, 'muted metric');
    await eventually(async () => (await api.list(frank)).items.length === 1, 8000, 'frank got it');
    await api.publish({ userIds: [erin], type: 'promo', title: 'not under promo.*' }).expect(202);
    const marker = await socket.next('notification', 5000);
    expect(marker.title).toBe('not under promo.*');
    expect(socket.all('notification')).toHaveLength(1);
    expect((await api.list(erin, '?view=all')).items.map((r) => r.title)).toEqual([
      'not under promo.*',
    ]);
    expect(await api.unread(erin)).toBe(1);
    expect(marker.seq).toBe(1); // no seq was spent on the muted one
  });

  it('lets critical through, and the most specific pattern win', async () => {
    const gina = user('gina');
    await mine(gina)
      .patch({
        channels: { inApp: false },
        types: {
          'billing.*': { inApp: true },
          'billing.ads.*': { inApp: false },
          'billing.ads.vip': { inApp: true },
        },
      })
      .expect(200);
    const socket = await connect(gina);
    for (const type of ['other', 'billing.paid', 'billing.ads.spam', 'billing.ads.vip']) {
      await api.publish({ userIds: [gina], type, title: type }).expect(202);
    }
    await api
      .publish({ userIds: [gina], type: 'other', title: 'critical', critical: true })
      .expect(202);
    await eventually(() => socket.all('notification').length === 3, 8000, 'three delivered');
    const delivered = socket.all('notification');
    expect(delivered.map((d) => d.title).sort()).toEqual([
      'billing.ads.vip',
      'billing.paid',
      'critical',
    ]);
    expect(delivered.find((d) => d.title === 'critical')?.critical).toBe(true);
    expect((await api.list(gina, '?view=all')).items).toHaveLength(3);
  });

  it('applies to a 10,000-recipient publish with preferences for every recipient', async () => {
    const db = await sql(isolation);
    const users = Array.from({ length: 10_000 }, (_, i) => `bulk-${i}`);
    try {
      await db.query(
        `INSERT INTO notification_preferences (user_id) SELECT unnest($1::varchar[])`,
        [users],
      );
      await db.query(
        `INSERT INTO notification_preference_rules (user_id, pattern, in_app)
         SELECT u, 'bulk.*', (right(u, 1) <> '7') FROM unnest($1::varchar[]) AS u`,
        [users],
      );
      await db.query('ANALYZE notification_preferences; ANALYZE notification_preference_rules');
      await api.publish({ userIds: users, type: 'bulk.news', title: 'To all' }).expect(202);
      await eventually(
        async () =>
          (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE type = 'bulk.news'`))
            .rows[0].n === 9000,
        20_000,
        '9,000 stored (every tenth muted)',
      );
    } finally {
      await db.end();
    }
  });
});

describe('mutedForPush (for the Web Push path)', () => {
  it('answers the users whose preferences mute push for a type', async () => {
    const henry = user('henry');
    const iris = user('iris');
    const jack = user('jack');
    await mine(henry)
      .patch({ types: { 'task.due': { push: false } } })
      .expect(200);
    await mine(iris)
      .patch({ channels: { push: false }, types: { 'task.*': { push: true } } })
      .expect(200);
    await mine(jack)
      .patch({ channels: { push: false } })
      .expect(200);
    const preferences = app.app.get(PreferencesService);
    const muted = await preferences.mutedForPush([henry, iris, jack, 'nobody'], 'task.due');
    expect([...muted].sort()).toEqual([henry, jack].sort());
    expect(await preferences.mutedForPush([henry], 'task.assigned')).toEqual(new Set());
  });
});

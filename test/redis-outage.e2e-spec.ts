/** Redis away: publishing answers 503 fast instead of hanging, and recovers on its own. */
import request from 'supertest';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { OwnRedis } from './support/redis-server';
import { serviceToken, tokenFor } from './support/tokens';

const isolation = newIsolation('redisout');
let redis: OwnRedis;
let app: TestApp;

beforeAll(async () => {
  redis = await OwnRedis.start();
  app = await startTestApp(isolation, { REDIS_URL: redis.url });
});

afterAll(async () => {
  await app?.close();
  await redis?.stop();
  await destroyIsolation(isolation);
});

const publish = () =>
  request(app.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${serviceToken()}`)
    .send({ userIds: ['ivy'], type: 't', title: 'during outage' });

async function inboxOf(user: string): Promise<unknown[]> {
  const res = await request(app.url)
    .get('/v1/notifications')
    .set('Authorization', `Bearer ${tokenFor(user)}`);
  return (res.body as { items?: unknown[] }).items ?? [];
}

it('answers 503 within a second while Redis is unreachable, then accepts again', async () => {
  expect((await publish()).status).toBe(202);
  // This Redis keeps nothing on disk, so let the first job finish before pulling the plug.
  await eventually(async () => (await inboxOf('ivy')).length === 1, 5000, 'the first notification');
  await redis.stop();

  const started = Date.now();
  const refused = await publish();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({
    statusCode: 503,
    error: 'Service Unavailable',
    requestId: expect.any(String),
  });

  await redis.start();
  await eventually(async () => (await publish()).status === 202, 10000, 'publishing to recover');
  const inbox = await eventually(
    async () => {
      const res = await request(app.url)
        .get('/v1/notifications')
        .set('Authorization', `Bearer ${tokenFor('ivy')}`);
      return res.body.items?.length >= 2 ? res.body.items : undefined;
    },
    10000,
    'the accepted notifications to be stored',
  );
  expect(inbox.length).toBeGreaterThanOrEqual(2);
}, 30000);

/** Redis away: publishing answers 503 fast instead of hanging, and recovers on its own. */
import { eventually } from './support/test-app';
import { OwnRedis } from './support/redis-server';
import { useTestApp } from './support/use-test-app';

let redis: OwnRedis;
beforeAll(async () => {
  redis = await OwnRedis.start();
});
const herald = useTestApp({ env: () => ({ REDIS_URL: redis.url }) });
afterAll(() => redis?.stop()); // after the app closes (Jest runs afterAll in declaration order)

/** Never throws for a status: the test looks at the 503 and how fast it came. */
const publish = () =>
  herald.service.request('POST', '/v1/notifications', {
    body: { userIds: ['ivy'], type: 't', title: 'during outage' },
  });

it('answers 503 within a second while Redis is unreachable, then accepts again', async () => {
  expect((await publish()).status).toBe(202);
  // This Redis keeps nothing on disk, so let the first job finish before pulling the plug.
  await herald.stored('ivy', 1, 5000);
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
  // the accepted notifications to be stored
  expect((await herald.stored('ivy', 2)).length).toBeGreaterThanOrEqual(2);
}, 30000);

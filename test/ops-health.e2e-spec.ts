/** /health/live and /health/ready, with a Redis of the test's own that it stops and restarts. */
import request from 'supertest';
import { OwnRedis } from './support/redis-server';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

let redis: OwnRedis;
beforeAll(async () => {
  redis = await OwnRedis.start();
});
const herald = useTestApp({
  env: () => ({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500' }),
});
afterAll(() => redis?.stop()); // after the app closes (Jest runs afterAll in declaration order)

const ready = () => request(herald.url).get('/health/ready');

describe('health', () => {
  it('is live and ready with every dependency up, without a token', async () => {
    const live = await request(herald.url).get('/health/live');
    expect(live.status).toBe(200);
    expect((live.body as { status: string }).status).toBe('ok');
    expect(live.headers['cache-control']).toContain('no-store');
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ok',
      details: {
        postgres: { status: 'up' },
        redis: { status: 'up' },
        queue: { status: 'up', queues: expect.arrayContaining(['notifications']) as unknown },
        realtime_bus: { status: 'up' },
      },
    });
  });

  it('turns 503 while Redis is down, stays live, and turns 200 again when it is back', async () => {
    await redis.stop();
    const started = Date.now();
    const down = await eventually(
      async () => {
        const answer = await ready();
        return answer.status === 503 ? answer : undefined;
      },
      5000,
      'readiness to turn 503',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringContaining('redis') as unknown,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      details: { postgres: { status: 'up' }, redis: { status: 'down' } },
    });
    expect((down.body as { requestId: string }).requestId).toBe(down.headers['x-request-id']);
    expect((await request(herald.url).get('/health/live')).status).toBe(200);

    await redis.start();
    const back = await eventually(
      async () => {
        const answer = await ready();
        return answer.status === 200 ? answer : undefined;
      },
      10000,
      'readiness to turn 200 again',
    );
    expect((back.body as { details: unknown }).details).toMatchObject({
      redis: { status: 'up' },
      queue: { status: 'up' },
      realtime_bus: { status: 'up' },
    });
  }, 30000);
});

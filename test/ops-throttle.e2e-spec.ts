/** REST rate limit: per token across instances (Redis), by IP without one; 429 + Retry-After. */
import request from 'supertest';
import type { HeraldResponse } from '../src/client';
import { eventually } from './support/test-app';
import { tokenFor } from './support/tokens';
import { useTestApp, type On, type TestHerald } from './support/use-test-app';

const LIMITS = { RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: '2000' };
// A second instance shares the Redis budget.
const herald = useTestApp({ env: LIMITS, instances: 2 });
const [a, b] = [0, 1];

/** Raw: these tests look at statuses and rate-limit headers. */
const unreadCount = (on: On, token?: string, of: TestHerald = herald) =>
  of.client(token, on).request('GET', '/v1/notifications/unread-count');

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a token used its budget on any instance, then resets', async () => {
    const alice = tokenFor('alice');
    const first = await unreadCount(a, alice);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect((await unreadCount(b, alice)).status).toBe(200);
    expect((await unreadCount(a, alice)).status).toBe(200);

    const limited = await unreadCount(b, alice);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(limited.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('retry in') as unknown,
      requestId: expect.any(String) as unknown,
    });

    // another token from the same address has a budget of its own
    expect((await unreadCount(a, tokenFor('bob'))).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    await eventually(async () => (await unreadCount(a, alice)).status === 200, 1500, 'reset');
  });

  it('limits callers without a valid token by IP, before authentication', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await unreadCount(a, i % 2 ? 'junk' : undefined)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never limits health and metrics', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await request(herald.url).get('/health/live')).status).toBe(200);
      expect((await request(herald.url).get('/metrics')).status).toBe(200);
    }
    const ready = await request(herald.url).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('rate limiting of services', () => {
  const own = useTestApp({
    name: 'opsthrottlesvc',
    env: {
      RATE_LIMIT_REQUESTS: '3',
      RATE_LIMIT_SERVICE_REQUESTS: '20',
      RATE_LIMIT_WINDOW_MS: '60000',
    },
  });

  const publish = (token: string) =>
    own.client(token).request('POST', '/v1/notifications', {
      body: { userIds: ['alice'], type: 't', title: 'x' },
    });

  it('gives a token with a Herald scope the service budget, far above a user’s', async () => {
    const service = tokenFor('billing', { scope: 'notifications:write' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => publish(service)));
    expect(statuses.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(statuses[0].headers.get('x-ratelimit-limit')).toBe('20');
    // the service budget is a limit too
    const over = await publish(service);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('keeps users (also with non-Herald scopes, e.g. an identity provider’s) on the user budget', async () => {
    for (const token of [tokenFor('carol'), tokenFor('dave', { scope: 'openid profile' })]) {
      const responses: HeraldResponse[] = [];
      for (let i = 0; i < 4; i++) responses.push(await unreadCount(0, token, own));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(responses[0].headers.get('x-ratelimit-limit')).toBe('3');
      expect(Number(responses[3].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('never lets a user token draw on the budget of a service token with the same sub', async () => {
    const user = tokenFor('erin');
    for (let i = 0; i < 3; i++) expect((await unreadCount(0, user, own)).status).toBe(200);
    expect((await unreadCount(0, user, own)).status).toBe(429);
    expect((await publish(tokenFor('erin', { scope: 'notifications:write' }))).status).toBe(202);
  });
});

/**
 * Bad input is refused up front, in the error shape, before any work is queued: oversized
 * publishes, values Postgres cannot store, nesting the validation pipeline cannot walk.
 * (test/inbox.e2e-spec.ts covers the per-field validation messages and the 413.)
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import request from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../../src/notifications/notifications.jobs';
import { BASE_ENV } from '../support/env';
import { eventually, sql } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { serviceToken, tokenFor } from '../support/tokens';
import { deepJson } from './support/fuzz';

const herald = useTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });

describe('request ids', () => {
  it.each([
    ['malformed JSON', '/v1/notifications', '{"userIds": ['],
    ['an unsupported charset', '/v1/notifications', '{}', 'application/json; charset=latin1'],
    ['a path that does not decode', '/v1/notifications/%E0%A4%A/read', '{}'],
  ])(
    'an error raised before routing (%s) still names its request id',
    async (_name, path, body, contentType = 'application/json') => {
      const response = await request(herald.url)
        .post(path)
        .set('Authorization', `Bearer ${serviceToken()}`)
        .set('Content-Type', contentType)
        .send(body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-request-id']).toBe(response.body.requestId);

      const traced = await request(herald.url)
        .post(path)
        .set('Authorization', `Bearer ${tokenFor('someone')}`)
        .set('Content-Type', contentType)
        .set('X-Request-Id', 'trace-789')
        .send(body);
      expect(traced.body.requestId).toBe('trace-789');
    },
  );
});

/** Everything the notifications queue holds: job counts by state, and its keys in Redis. */
async function queueState(): Promise<{ jobs: number; keys: number }> {
  const queue = herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  const counts = await queue.getJobCounts();
  const redis = new Redis(BASE_ENV.REDIS_URL);
  try {
    const keys = await redis.keys(`${herald.isolation.prefix}:bull:${NOTIFICATIONS_QUEUE}:*`);
    return { jobs: Object.values(counts).reduce((a, b) => a + b, 0), keys: keys.length };
  } finally {
    redis.disconnect();
  }
}

const valid = { userIds: ['lia'], type: 't', title: 'ok' };

describe('publishes refused before any work is queued', () => {
  const cases: [string, string | Record<string, unknown>, number, string][] = [
    ['a body over 1 MiB', { ...valid, body: 'x'.repeat(1024 * 1024 + 1) }, 413, ''],
    ['data over 8 KiB', { ...valid, data: { blob: 'x'.repeat(8 * 1024) } }, 400, 'data'],
    [
      '10,001 recipients',
      { ...valid, userIds: Array.from({ length: 10_001 }, (_, i) => `u${i}`) },
      400,
      'userIds',
    ],
    ['a title over 200', { ...valid, title: 'x'.repeat(201) }, 400, 'title'],
    ['U+0000 in the title', { ...valid, title: 'a\u0000b' }, 400, 'body.title'],
    ['U+0000 in a user id', { ...valid, userIds: ['lia\u0000'] }, 400, 'body.userIds.0'],
    [
      'an unpaired surrogate in data',
      { ...valid, data: { note: 'x\ud800' } },
      400,
      'body.data.note',
    ],
    ['U+0000 in a data key', { ...valid, data: { 'k\u0000': 1 } }, 400, 'body.data'],
    [
      'data nested 100 deep',
      `{"userIds":["lia"],"type":"t","title":"x","data":${deepJson(100, 'object')}}`,
      400,
      'nest',
    ],
    [
      'a body nested 5,000 deep',
      `{"userIds":["lia"],"type":"t","title":"x","x":${deepJson(5000, 'array')}}`,
      400,
      'nest',
    ],
  ];

  it.each(cases)('refuses %s', async (_name, body, status, names) => {
    const before = await queueState();
    const response = await request(herald.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ statusCode: status, requestId: expect.any(String) });
    expect(JSON.stringify(response.body.message)).toContain(names);
    expect(await queueState()).toEqual(before);
  });

  it('queues a valid publish (the state above would have changed), with data nested 30 deep', async () => {
    const before = await queueState();
    const data = JSON.parse(deepJson(30, 'object')) as Record<string, unknown>;
    const response = await request(herald.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ ...valid, data });
    expect(response.status).toBe(202);
    const after = await queueState();
    expect(after.jobs).toBe(before.jobs + 1);
    expect(after.keys).toBeGreaterThan(before.keys);
    const db = await sql(herald.isolation);
    try {
      const row = await eventually(
        async () =>
          (await db.query(`SELECT data FROM notifications WHERE user_id = 'lia'`)).rows[0],
        10000,
        'the row',
      );
      expect(row.data).toEqual(data);
    } finally {
      await db.end();
    }
  });
});

describe('other input Postgres cannot store, or the pipeline cannot walk', () => {
  it.each([
    [
      'a user id with U+0000 in the path',
      'delete',
      '/v1/topics/news/subscribers/a%00b',
      undefined,
      'service',
    ],
    ['a task title with U+0000', 'post', '/v1/tasks', { title: 'a\u0000b' }, 'user'],
    [
      'read ids nested 5,000 deep',
      'post',
      '/v1/notifications/read',
      `{"ids":${deepJson(5000, 'array')}}`,
      'user',
    ],
    ['a query with U+0000', 'get', '/v1/tasks?cursor=%00', undefined, 'user'],
  ] as const)('answers 400 to %s', async (_name, method, path, body, who) => {
    const token = who === 'service' ? serviceToken() : tokenFor('lia');
    const call = request(herald.url)[method](path).set('Authorization', `Bearer ${token}`);
    const response = await (body === undefined
      ? call
      : call
          .set('Content-Type', 'application/json')
          .send(typeof body === 'string' ? body : JSON.stringify(body)));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });
});

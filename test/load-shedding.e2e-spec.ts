/**
 * Load shedding: past PUBLISH_BACKLOG_MAX publishes not yet stored, publish and batch answer 503
 * + Retry-After at once; a publish Redis does not take within PUBLISH_ACCEPT_TIMEOUT_MS answers
 * 503 + Retry-After too; every 202 is still stored. The backlog is built for real: the app's own
 * queue processing is paused (Bull's local pause), or its own Redis is paused (CLIENT PAUSE).
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import type { HeraldResponse } from '../src/client';
import { loadConfig } from '../src/config/app-config';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { notificationBody } from './support/factories';
import { OwnRedis } from './support/redis-server';
import { eventually, newIsolation, testEnv } from './support/test-app';
import { useTestApp, type TestHerald } from './support/use-test-app';

const BACKLOG_MAX = 20;

/** A publish and how long its answer took (raw: the tests look at 503s). */
async function publish(herald: TestHerald, user: string, extra: Record<string, unknown> = {}) {
  const started = Date.now();
  const res = await herald.service.request<{ jobId: string }>('POST', '/v1/notifications', {
    body: notificationBody(user, { type: 'shed.test', title: 'hello', ...extra }),
  });
  return { res, ms: Date.now() - started };
}

async function shedTotal(herald: TestHerald, reason: string): Promise<number> {
  const text = (await herald.client().request('GET', '/metrics')).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`herald_publish_shed_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

function expectShed(res: HeraldResponse): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  expect(res.body).toMatchObject({
    statusCode: 503,
    error: 'Service Unavailable',
    message: expect.any(String),
    requestId: expect.any(String),
  });
}

describe('backlog bound', () => {
  const app = useTestApp({
    name: 'shedbacklog',
    env: { PUBLISH_BACKLOG_MAX: String(BACKLOG_MAX) },
  });
  let db: Client;
  let queue: Queue;

  beforeAll(async () => {
    db = await app.db();
    queue = app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  });

  it('answers 503 + Retry-After at once past the bound, and stores every 202', async () => {
    await queue.pause(true, true); // this app's worker takes no more jobs: the backlog stays
    const accepted: string[] = [];
    const shed: HeraldResponse[] = [];
    for (let i = 0; i < BACKLOG_MAX + 10; i++) {
      const { res, ms } = await publish(app, `user-${i}`);
      if (res.status === 202) accepted.push(res.body.jobId);
      else {
        shed.push(res);
        expect(ms).toBeLessThan(1000); // refused at once: nothing is waited for
      }
    }
    // One publish at a time: each is counted exactly, so the bound holds exactly.
    expect(accepted).toHaveLength(BACKLOG_MAX);
    expect(shed).toHaveLength(10);
    for (const res of shed) expectShed(res);

    const batch = await app.service.request('POST', '/v1/notifications/batch', {
      body: { notifications: [notificationBody('b-1', { type: 't', title: 'x' })] },
    });
    expectShed(batch);
    expect(await shedTotal(app, 'backlog')).toBe(11);

    await queue.resume(true);
    await eventually(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM publications WHERE job_id = ANY($1)',
          [accepted],
        );
        return rows[0].n === accepted.length;
      },
      10_000,
      'every accepted publish stored',
    );
    // Drained: accepted again once a sample sees the queue empty.
    await eventually(async () => (await publish(app, 'after')).res.status === 202, 5000, '202');
  });
});

describe('accept deadline', () => {
  let redis: OwnRedis;
  let db: Client;
  let admin: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    admin = new Redis(redis.url);
  });
  const app = useTestApp({
    name: 'shedtimeout',
    env: () => ({
      REDIS_URL: redis.url,
      PUBLISH_ACCEPT_TIMEOUT_MS: '200',
      // The rate limiter counts in the same (paused) Redis: off, so the publish itself is timed.
      RATE_LIMIT_ENABLED: 'false',
    }),
  });
  beforeAll(async () => {
    db = await app.db();
  });
  // After the app closes (Jest runs afterAll in declaration order).
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('answers 503 + Retry-After when Redis is slow; a retry with the key stores once', async () => {
    expect((await publish(app, 'warm')).res.status).toBe(202);
    // Redis holds every write (Bull's add is a script) for 1.5 s: the add outlives the deadline.
    await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const { res, ms } = await publish(app, 'tim', { idempotencyKey: 'order-1' });
    expectShed(res);
    expect(ms).toBeGreaterThanOrEqual(150);
    expect(ms).toBeLessThan(1000);
    expect(await shedTotal(app, 'timeout')).toBe(1);

    // The add went through once Redis resumed; the caller's retry names the same publication.
    const retry = await eventually(
      async () => {
        const again = (await publish(app, 'tim', { idempotencyKey: 'order-1' })).res;
        return again.status === 202 ? again : null;
      },
      5000,
      'the retry accepted',
    );
    const jobId = retry.body.jobId;
    const queue = app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    // Both batch jobs (the late one and the retry) done, then exactly one row.
    await eventually(async () => (await queue.getJobCounts()).completed >= 3, 5000, 'jobs done');
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = 'tim'`,
    );
    expect(rows[0].n).toBe(1);
    const stored = await db.query('SELECT 1 FROM publications WHERE job_id = $1', [jobId]);
    expect(stored.rowCount).toBe(1);
  });
});

describe('config', () => {
  const env = testEnv(newIsolation('shedconfig'));

  it.each([
    ['PUBLISH_BACKLOG_MAX', '0'],
    ['PUBLISH_BACKLOG_MAX', 'many'],
    ['PUBLISH_ACCEPT_TIMEOUT_MS', '1001'],
    ['PUBLISH_ACCEPT_TIMEOUT_MS', '5'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ ...env, [name]: value })).toThrow(name);
  });

  it('defaults to a backlog of 5000 and a 500 ms deadline', () => {
    const config = loadConfig(env);
    expect(config.queue.publishBacklogMax).toBe(5000);
    expect(config.queue.publishAcceptTimeoutMs).toBe(500);
  });
});

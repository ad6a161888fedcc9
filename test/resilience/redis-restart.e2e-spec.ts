/**
 * Redis dies and comes back while notifications are flowing (AOF on, fsync always, as in
 * production). Publishes during the outage get a clean 503 fast; Herald recovers by itself;
 * everything that got 202 — including work still waiting in the queue when Redis died — is
 * stored once and delivered, in order, to sockets that stayed connected throughout.
 * (test/redis-outage.e2e-spec.ts covers the plain 503-and-recover path without persistence.)
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Client } from 'pg';
import { NOTIFICATIONS_QUEUE } from '../../src/notifications/notifications.jobs';
import { OwnRedis } from '../support/redis-server';
import { eventually } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { publish, range1, sleep, storedRows, type PublishOutcome } from './support/probes';

const users = ['rae', 'rex'];
let redis: OwnRedis | undefined;
let db: Client | undefined;

beforeAll(async () => {
  redis = await OwnRedis.start({ persistent: true });
});
const herald = useTestApp({
  env: () => ({
    REDIS_URL: redis!.url,
    QUEUE_LOCK_MS: '2000',
    // The limiter stays on (its Redis calls are part of the path under test), just out of reach.
    RATE_LIMIT_REQUESTS: '100000',
  }),
});
beforeAll(async () => {
  db = await herald.db(); // closed (its transaction rolled back) by useTestApp
});
afterAll(() => redis?.destroy()); // after the app closes (declaration order)

type Phase = 'before' | 'outage' | 'after';

interface Attempt {
  i: number;
  /** The phase the request started and ended in ('transition' when they differ). */
  phase: Phase | 'transition';
  outcome: PublishOutcome;
}

it('answers 503 during the outage, recovers without a restart, and delivers every 202 once', async () => {
  const { url } = herald;
  const queue = herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  const sockets = await Promise.all(users.map((user) => herald.connect(user)));

  // rae's jobs wait on the row lock of her counter, so work piles up in Redis before it dies.
  await db!.query(`INSERT INTO notification_counters (user_id, last_seq) VALUES ('rae', 0)`);
  await db!.query('BEGIN');
  await db!.query(`SELECT 1 FROM notification_counters WHERE user_id = 'rae' FOR UPDATE`);

  const attempts: Attempt[] = [];
  let phase: Phase = 'before';
  let stop = false;
  let next = 0;
  const publisher = async () => {
    while (!stop) {
      const i = next++;
      const started = phase;
      const outcome = await publish(url, {
        userIds: [users[i % 2]],
        type: 'flow',
        title: `n${i}`,
        idempotencyKey: `n${i}`,
      });
      attempts.push({ i, phase: started === phase ? started : 'transition', outcome });
      await sleep(10);
    }
  };
  const flowing = Promise.all([publisher(), publisher()]);
  const accepted = () => attempts.filter((a) => a.outcome.status === 202).length;

  await eventually(() => accepted() >= 30, 15000, '30 accepted publishes');
  const pending = await queue.getJobCounts();
  expect(pending.waiting + pending.active).toBeGreaterThan(0); // queued work, not yet stored

  await redis!.stop(); // SIGKILL; resolves once the server is gone
  phase = 'outage';
  await eventually(
    () => attempts.filter((a) => a.phase === 'outage' && a.outcome.status === 503).length >= 10,
    15000,
    '10 refused publishes during the outage',
  );
  await sleep(1500); // an outage of a few seconds, not a blip
  const ready = await fetch(`${url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { message: string }).message).toMatch(/redis/);
  await db!.query('COMMIT'); // rae's stuck jobs run on while Redis is still away

  phase = 'after'; // from here on a request may meet Redis back up
  await redis!.start(); // same port, same AOF
  await eventually(
    () => attempts.filter((a) => a.phase === 'after' && a.outcome.status === 202).length >= 20,
    30000,
    '20 accepted publishes after Redis is back',
  );
  stop = true;
  await flowing;

  // Every answer was 202 or a clean 503, and none took long.
  for (const { outcome } of attempts) {
    expect([202, 503]).toContain(outcome.status);
    expect(outcome.ms).toBeLessThan(5000);
    if (outcome.status === 503) {
      expect(outcome.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.any(String),
        requestId: expect.any(String),
      });
    }
  }
  // With Redis dead, nothing is accepted.
  expect(attempts.filter((a) => a.phase === 'outage' && a.outcome.status !== 503)).toEqual([]);

  // Everything that got 202 is stored, once. (A 503 after a timeout may still have been
  // queued; such a publish may be stored too, but also only once.)
  const acceptedTitles = attempts.filter((a) => a.outcome.status === 202).map((a) => `n${a.i}`);
  const rows = await eventually(
    async () => {
      const all = await storedRows(db!);
      const titles = new Set(all.map((r) => r.title));
      return acceptedTitles.every((t) => titles.has(t)) ? all : undefined;
    },
    30000,
    `all ${acceptedTitles.length} accepted publishes to be stored`,
  ).catch(async (error: Error) => {
    const stored = new Set((await storedRows(db!)).map((r) => r.title));
    const missing = acceptedTitles.filter((t) => !stored.has(t));
    throw new Error(
      `${error.message}; missing ${missing.join(',')}; jobs ${JSON.stringify(await queue.getJobCounts())}`,
    );
  });
  expect(rows.length).toBe(new Set(rows.map((r) => r.title)).size);

  // The sockets stayed open and got every stored notification of their user, in seq order.
  for (const [index, user] of users.entries()) {
    const socket = sockets[index];
    const expected = rows.filter((r) => r.user_id === user);
    await eventually(
      () => socket.all('notification').length >= expected.length,
      20000,
      `${user}'s socket to get all ${expected.length} notifications`,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; got seqs ${socket
          .all('notification')
          .map((n) => n.seq)
          .join(',')}`,
      );
    });
    expect(socket.all('notification').map((n) => n.seq)).toEqual(range1(expected.length));
    expect(socket.all('notification').map((n) => n.title)).toEqual(expected.map((r) => r.title));
  }
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);
}, 120000);

/**
 * Postgres goes away for a few seconds (a server of the test's own, stopped with
 * `pg_ctl stop -m immediate`). Publishing keeps answering 202: the work waits in the queue and
 * is retried with backoff. Reads answer 503, readiness says Postgres is down, sockets get clean
 * answers. Once Postgres is back, every accepted notification is stored once and delivered.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Client } from 'pg';
import request from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../../src/notifications/notifications.jobs';
import { OwnPostgres } from '../support/own-postgres';
import { eventually } from '../support/test-app';
import { serviceToken, tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';
import { range1, sleep, storedRows } from './support/probes';

let postgres: OwnPostgres | undefined;
beforeAll(async () => {
  postgres = await OwnPostgres.start();
});
const herald = useTestApp({
  env: () => ({
    DATABASE_URL: postgres!.url(herald.isolation.database),
    QUEUE_LOCK_MS: '2000',
  }),
});
afterAll(() => postgres?.destroy()); // after the app closes (Jest runs afterAll in declaration order)

const publish = (title: string) =>
  request(herald.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${serviceToken()}`)
    .send({ userIds: ['pia'], type: 't', title, idempotencyKey: title });

const asPia = (call: request.Test) => call.set('Authorization', `Bearer ${tokenFor('pia')}`);

const errorBody = (statusCode: number) => ({
  statusCode,
  error: expect.any(String),
  message: expect.anything(),
  requestId: expect.any(String),
});

it('queues and retries while Postgres is down, answers 503 on reads, then stores and delivers everything', async () => {
  const { url } = herald;
  const queue = herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  const pia = await herald.connect('pia');
  for (const i of [1, 2, 3]) expect((await publish(`before-${i}`)).status).toBe(202);
  await eventually(() => pia.all('notification').length === 3, 10000, 'the first 3 live');

  await postgres!.stop();
  const outageStarted = Date.now();

  // Publishing does not need Postgres: accepted, queued.
  const during = await Promise.all(range1(10).map((i) => publish(`during-${i}`)));
  expect(during.map((r) => r.status)).toEqual(range1(10).map(() => 202));
  // A topic publish too: while Postgres cannot say its size, the topic counts as its cap.
  const toTopic = await request(url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${serviceToken()}`)
    .send({ topic: 'nobody-yet', type: 't', title: 'to a topic' });
  expect(toTopic.status).toBe(202);

  // Reads and read changes answer 503 in the error shape, quickly.
  for (const call of [
    asPia(request(url).get('/v1/notifications')),
    asPia(request(url).get('/v1/notifications/unread-count')),
    asPia(request(url).post('/v1/notifications/read-all')),
  ]) {
    const started = Date.now();
    const response = await call;
    expect(response.status).toBe(503);
    expect(response.body).toEqual(errorBody(503));
    expect(Date.now() - started).toBeLessThan(5000);
  }
  const ready = await request(url).get('/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.message).toMatch(/postgres/);

  // Sockets: a resume answers an `unavailable` error and the socket stays open; a new
  // connection is told to come back later (1013) instead of hanging.
  pia.send('resume', { afterSeq: 0 });
  expect(await pia.next('error', { timeoutMs: 10000 })).toMatchObject({ code: 'unavailable' });
  const newcomer = await herald.connect('pia', { waitReady: false });
  expect(await newcomer.closed).toMatchObject({ code: 1013 });

  // The jobs are retried with backoff, not dropped.
  await eventually(
    async () => {
      const jobs = await queue.getJobs(['delayed', 'waiting', 'active']);
      return jobs.some((job) => job.attemptsMade >= 1);
    },
    10000,
    'a publish job to be retried',
  );
  expect((await queue.getJobCounts()).failed).toBe(0);

  await sleep(Math.max(0, 3000 - (Date.now() - outageStarted))); // a few seconds of outage
  await postgres!.start();

  // Everything accepted is stored, once, in order.
  const db = new Client({ connectionString: postgres!.url(herald.isolation.database) });
  await db.connect();
  try {
    const rows = await eventually(
      async () => {
        const all = await storedRows(db);
        return all.length >= 13 ? all : undefined;
      },
      30000,
      'all 13 accepted notifications to be stored',
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; jobs ${JSON.stringify(await queue.getJobCounts())}`);
    });
    expect(rows.map((r) => r.seq)).toEqual(range1(13));
    expect(new Set(rows.map((r) => r.title)).size).toBe(13);
  } finally {
    await db.end();
  }
  expect((await queue.getJobCounts()).failed).toBe(0);

  // The socket that stayed open got every one of them live, in order, nothing twice.
  await eventually(() => pia.all('notification').length >= 13, 15000, 'all 13 on the socket');
  expect(pia.all('notification').map((n) => n.seq)).toEqual(range1(13));

  // And the service answers normally again, without a restart.
  const inbox = await asPia(request(url).get('/v1/notifications?limit=100'));
  expect(inbox.status).toBe(200);
  expect(inbox.body.items).toHaveLength(13);
  expect((await request(url).get('/health/ready')).status).toBe(200);
  const again = await herald.connect('pia');
  expect(again.frames[0]).toEqual({
    event: 'ready',
    data: { userId: 'pia', unreadCount: 13, lastSeq: 13 },
  });
}, 90000);

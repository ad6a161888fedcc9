/** SIGTERM path: stop accepting, close sockets with 1001, finish running jobs, lose nothing. */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { gracefulShutdown } from '../src/lifecycle/graceful-shutdown';
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

const isolation = newIsolation('shutdown');
let successor: TestApp | undefined;

afterAll(async () => {
  await successor?.close();
  await destroyIsolation(isolation);
});

it('closes sockets with 1001, stops accepting, and every accepted publish is stored', async () => {
  const app = await startTestApp(isolation);
  const socket = await TestSocket.connect(app.wsUrl, tokenFor('otto'));
  const accepted = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      request(app.url)
        .post('/v1/notifications')
        .set('Authorization', `Bearer ${serviceToken()}`)
        .send({ userIds: ['otto', `other-${i}`], type: 't', title: `n${i}` }),
    ),
  );
  expect(accepted.every((r) => r.status === 202)).toBe(true);

  await gracefulShutdown(app.app);
  expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
  await expect(request(app.url).get('/health/live')).rejects.toThrow(); // no longer listening

  // Whatever was still queued is picked up by the next instance: nothing accepted is lost.
  successor = await startTestApp(isolation);
  const queue = successor.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  const db = await sql(isolation);
  try {
    const stored = async () =>
      Number(
        (await db.query(`SELECT count(*) AS n FROM notifications WHERE user_id = 'otto'`)).rows[0]
          .n,
      );
    await eventually(
      async () => (await stored()) === 30,
      15000,
      'all 30 accepted notifications',
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; stored ${await stored()}, jobs ${JSON.stringify(await queue.getJobCounts())}`,
      );
    });
  } finally {
    await db.end();
  }
}, 40000);

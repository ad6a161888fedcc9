/** SIGTERM path: stop accepting, close sockets with 1001, finish running jobs, lose nothing. */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { gracefulShutdown } from '../src/lifecycle/graceful-shutdown';
import { serviceToken } from './support/tokens';
import { eventually, startTestApp } from './support/test-app';
import { useTestApp } from './support/use-test-app';

// The instance under test is the test's own (gracefulShutdown closes it); the successor is
// started, and everything closed, by useTestApp.
const herald = useTestApp({ instances: 0 });
// A job whose hand-off the close cuts stays active until the successor counts it as stalled
// and re-runs it: with the default 10 s lock (and 5 s stalled check) that can take longer
// than the wait below on a loaded machine; with 3 s, a few seconds.
const LOCK = { QUEUE_LOCK_MS: '3000' };

it('closes sockets with 1001, stops accepting, and every accepted publish is stored', async () => {
  const app = await startTestApp(herald.isolation, LOCK);
  const socket = await herald.connect('otto', { on: app });
  await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      herald.client(serviceToken(), app).publish({
        userIds: ['otto', `other-${i}`],
        type: 't',
        title: `n${i}`,
      }),
    ),
  );

  await gracefulShutdown(app.app);
  expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
  await expect(request(app.url).get('/health/live')).rejects.toThrow(); // no longer listening

  // Whatever was still queued is picked up by the next instance: nothing accepted is lost.
  const successor = await herald.startInstance(LOCK);
  const queue = herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE), successor);
  const db = await herald.db();
  const stored = async () =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM notifications WHERE user_id = 'otto'`)).rows[0].n,
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
}, 40000);

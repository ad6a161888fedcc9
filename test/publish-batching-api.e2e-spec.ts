/**
 * Group commit, at the edge: publishes accepted together travel as one Bull job and arrive in
 * order; POST /v1/notifications/batch checks every publish before it queues any, and each
 * publish in it keeps its own id and idempotency.
 */
import type { Client } from 'pg';
import request from 'supertest';
import { NotificationsService } from '../src/notifications/notifications.service';
import { completedJobsHolding, jobsAdded, many, publisher } from './publish-batching.fixtures';
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

const isolation = newIsolation('batching-api');
let app: TestApp;
let db: Client;

beforeAll(async () => {
  app = await startTestApp(isolation);
  db = await sql(isolation);
});

afterAll(async () => {
  await db?.end();
  await app?.close();
  await destroyIsolation(isolation);
});

describe('PublishBatcher', () => {
  it('queues publishes accepted together as one job and delivers them in order', async () => {
    const socket = await TestSocket.connect(app.wsUrl, tokenFor('dana'));
    try {
      const before = await jobsAdded(app);
      const service = app.app.get(NotificationsService);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          service.publish(publisher, { userIds: ['dana'], type: 'batch.test', title: `n${i}` }),
        ),
      );
      expect(new Set(answers.map((a) => a.jobId)).size).toBe(20);
      expect((await jobsAdded(app)) - before).toBe(1);

      await eventually(() => socket.all('notification').length >= 20, 5000, '20 notifications');
      const got = socket.all('notification');
      expect(got.map((n) => n.title)).toEqual(answers.map((_, i) => `n${i}`));
      expect(got.map((n) => n.seq)).toEqual(got.map((_, i) => i + 1));
      const published = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM publications WHERE job_id = ANY($1)`,
        [answers.map((a) => a.jobId)],
      );
      expect(published.rows[0].n).toBe(20);
    } finally {
      socket.close();
    }
  });
});

describe('POST /v1/notifications/batch', () => {
  const post = (body: unknown, token = serviceToken()) =>
    request(app.url)
      .post('/v1/notifications/batch')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  const countFor = async (user: string) =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1`,
        [user],
      )
    ).rows[0].n;

  it('queues every publish in order, one jobId each, idempotent per publish', async () => {
    await db.query(`INSERT INTO topic_subscriptions (topic, user_id) VALUES ('news', 'gil')`);
    const socket = await TestSocket.connect(app.wsUrl, tokenFor('gil'));
    try {
      const body = {
        notifications: [
          { userIds: ['gil', 'hal'], type: 'b', title: 'first' },
          { topic: 'news', type: 'b', title: 'second' },
          { userIds: ['gil'], type: 'b', title: 'third', idempotencyKey: 'batch-key-1' },
        ],
      };
      const answer = await post(body);
      expect(answer.status).toBe(202);
      const items = (answer.body as { items: { jobId: string; status: string }[] }).items;
      expect(items).toHaveLength(3);
      expect(items.every((item) => item.status === 'queued')).toBe(true);
      expect(new Set(items.map((item) => item.jobId)).size).toBe(3);

      await eventually(() => socket.all('notification').length >= 3, 5000, '3 for gil');
      expect(socket.all('notification').map((n) => n.title)).toEqual(['first', 'second', 'third']);
      expect(await countFor('hal')).toBe(1);

      // The keyed publish again, alone: the same jobId, nothing new.
      const again = await post({ notifications: [body.notifications[2]] });
      expect((again.body as { items: { jobId: string }[] }).items[0].jobId).toBe(items[2].jobId);
      // Once the repeat's job is done (a second run of the publication), still three rows.
      await eventually(
        async () => (await completedJobsHolding(app, items[2].jobId)).length === 2,
        5000,
        "the repeat's job completed",
      );
      expect(await countFor('gil')).toBe(3);
    } finally {
      socket.close();
    }
  });

  it('queues nothing when one publish is bad, and says which', async () => {
    const before = await jobsAdded(app);
    const missingTitle = await post({
      notifications: [
        { userIds: ['ida'], type: 'b', title: 'fine' },
        { userIds: ['ida'], type: 'b' },
      ],
    });
    expect(missingTitle.status).toBe(400);
    expect(JSON.stringify(missingTitle.body)).toContain('notifications.1.title');
    const bothTargets = await post({
      notifications: [
        { userIds: ['ida'], type: 'b', title: 'fine' },
        { userIds: ['ida'], topic: 'news', type: 'b', title: 'both' },
      ],
    });
    expect(bothTargets.status).toBe(400);
    expect(JSON.stringify(bothTargets.body)).toContain('notifications.1.exactly one of');
    // A publish is answered only once its job is in Redis: none was added for these.
    expect(await jobsAdded(app)).toBe(before);
    // And the next good publish to ida is her first row.
    const marker = await post({
      notifications: [{ userIds: ['ida'], type: 'b', title: 'marker' }],
    });
    const [{ jobId }] = (marker.body as { items: { jobId: string }[] }).items;
    await eventually(async () => (await completedJobsHolding(app, jobId)).length === 1);
    expect(await countFor('ida')).toBe(1);
  });

  it('limits publishes per request, recipients per request, and needs the scope', async () => {
    const one = { userIds: ['jo'], type: 'b', title: 't' };
    expect((await post({ notifications: [] })).status).toBe(400);
    expect((await post({ notifications: Array.from({ length: 101 }, () => one) })).status).toBe(
      400,
    );
    const big = { userIds: many('cap', 6000), type: 'b', title: 't' };
    const tooMany = await post({ notifications: [big, big] });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('at most 10000 userIds in all');
    expect((await post({ notifications: [one] }, tokenFor('jo'))).status).toBe(403);
  });
});

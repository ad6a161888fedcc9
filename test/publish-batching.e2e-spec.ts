/**
 * Group commit: publishes accepted together travel as one Bull job and are stored in one
 * statement, with per-user seqs in acceptance order, per-publish idempotency, and a bad publish
 * failing alone.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Client } from 'pg';
import request from 'supertest';
import type { Principal } from '../src/auth/principal';
import { NotificationStore, type PublicationInput } from '../src/notifications/notification-store';
import {
  NOTIFICATIONS_QUEUE,
  type PublishBatchJobData,
} from '../src/notifications/notifications.jobs';
import { NotificationsProcessor } from '../src/notifications/notifications.processor';
import { NotificationsService } from '../src/notifications/notifications.service';
import { PublicationSnapshots } from '../src/notifications/publication-snapshots';
import { RealtimePublisher } from '../src/realtime/realtime.publisher';
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

const isolation = newIsolation('batching');
let app: TestApp;
let db: Client;

const publisher: Principal = {
  userId: 'batch-publisher',
  scopes: new Set(['notifications:write']),
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
};

const many = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

const content = (title: string) => ({
  type: 'batch.test',
  title,
  body: '',
  data: { title },
  topic: null,
  publisher: 'p',
});

beforeAll(async () => {
  app = await startTestApp(isolation);
  db = await sql(isolation);
});

afterAll(async () => {
  await db?.end();
  await app?.close();
  await destroyIsolation(isolation);
});

describe('NotificationStore.storeBatch', () => {
  it('numbers each user in batch order across listed and topic publishes, once', async () => {
    await db.query(
      `INSERT INTO topic_subscriptions (topic, user_id) VALUES ('ops', 'ann'), ('ops', 'cy')`,
    );
    const store = app.app.get(NotificationStore);
    const batch: PublicationInput[] = [
      {
        publicationId: 'b-1',
        target: { userIds: ['ann'] },
        content: content('1'),
      },
      {
        publicationId: 'b-2',
        target: { userIds: ['ann', 'bo', 'ann'] },
        content: content('2'),
      },
      {
        publicationId: 'b-3',
        target: { topic: 'ops' },
        content: { ...content('3'), topic: 'ops' },
      },
      {
        publicationId: 'b-1',
        target: { userIds: ['ann'] },
        content: content('1'),
      },
      {
        publicationId: 'b-4',
        target: { userIds: ['ann'] },
        content: content('4'),
      },
    ];
    const stored = await store.storeBatch(batch);

    expect(stored.map((s) => s.created)).toEqual([true, true, true, true, true]);
    expect(stored[3]).toBe(stored[0]); // the same publication twice is stored once
    const ann = (i: number) => stored[i].recipients.find((r) => r.userId === 'ann');
    expect([0, 1, 2, 4].map((i) => [ann(i)?.seq, ann(i)?.unread])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(stored[1].recipients.map((r) => r.userId).sort()).toEqual(['ann', 'bo']);
    expect(stored[2].recipients.map((r) => r.userId).sort()).toEqual(['ann', 'cy']);

    const rows = await db.query<{ user_id: string; seq: number; title: string; topic: string }>(
      `SELECT user_id, seq, title, topic FROM notifications ORDER BY user_id, seq`,
    );
    expect(rows.rows.map((r) => `${r.user_id}:${r.seq}:${r.title}:${r.topic ?? ''}`)).toEqual([
      'ann:1:1:',
      'ann:2:2:',
      'ann:3:3:ops',
      'ann:4:4:',
      'bo:1:2:',
      'cy:1:3:ops',
    ]);
    const counts = await db.query<{ job_id: string; recipients: number }>(
      `SELECT job_id, recipients FROM publications ORDER BY job_id`,
    );
    expect(counts.rows.map((r) => [r.job_id, r.recipients])).toEqual([
      ['b-1', 1],
      ['b-2', 2],
      ['b-3', 2],
      ['b-4', 1],
    ]);

    // Again (a retried job): nothing new, the same rows answered.
    const again = await store.storeBatch([batch[1], batch[2]]);
    expect(again.map((s) => s.created)).toEqual([false, false]);
    expect(again[0].recipients.map((r) => r.seq).sort()).toEqual(
      stored[1].recipients.map((r) => r.seq).sort(),
    );
    const total = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
    expect(total.rows[0].n).toBe(6);
  });
});

describe('large publications, stored in parts', () => {
  const rowsOf = async (jobId: string) =>
    (
      await db.query<{ n: number; users: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS users
         FROM notifications WHERE job_id = $1`,
        [jobId],
      )
    ).rows[0];

  const toUsers = (publicationId: string, users: string[]): PublicationInput => ({
    publicationId,
    target: { userIds: users },
    content: content(publicationId),
  });

  it('stores each recipient once, pushes each part as it commits, and a retry adds nothing', async () => {
    const store = app.app.get(NotificationStore);
    const users = many('part', 2500);
    const input = toUsers('big-1', users);
    const parts: { created: boolean; n: number }[] = [];
    await store.storeInParts(input, users, (part) =>
      parts.push({ created: part.created, n: part.recipients.length }),
    );
    expect(parts).toEqual([
      { created: true, n: 1000 },
      { created: true, n: 1000 },
      { created: true, n: 500 },
    ]);
    expect(await rowsOf('big-1')).toEqual({ n: 2500, users: 2500 });
    const claims = await db.query<{ job_id: string; recipients: number }>(
      `SELECT job_id, recipients FROM publications WHERE job_id LIKE 'big-1%' ORDER BY job_id`,
    );
    expect(claims.rows.map((r) => [r.job_id, r.recipients])).toEqual([
      ['big-1', 2500], // complete: a repeat loads the rows, it does not split again
      ['big-1#0', 1000],
      ['big-1#1', 1000],
      ['big-1#2', 500],
    ]);

    // A retry (say the push failed): nothing stored again, everything handed over to push.
    const again: { created: boolean; n: number }[] = [];
    await store.storeInParts(input, users, (part) =>
      again.push({ created: part.created, n: part.recipients.length }),
    );
    expect(again).toEqual([{ created: false, n: 2500 }]);
    expect(await rowsOf('big-1')).toEqual({ n: 2500, users: 2500 });
  });

  it('stores and pushes every part, then fails the job, when pushing one part fails', async () => {
    const realtime = app.app.get(RealtimePublisher);
    const processor = app.app.get(NotificationsProcessor);
    const original = realtime.publishNotifications.bind(realtime);
    let calls = 0;
    // The bus refuses the first part's push (as when Redis drops out for a moment).
    realtime.publishNotifications = (publications) =>
      ++calls === 1 ? Promise.reject(new Error('bus down')) : original(publications);
    try {
      await expect(
        processor.publishBatch([
          {
            publicationId: 'big-push',
            publisherId: 'p',
            target: { userIds: many('push', 3500) },
            type: 'batch.test',
            title: 'pushed in parts',
            body: '',
            data: {},
            acceptedAt: Date.now(),
          },
        ]),
      ).rejects.toThrow('bus down');
      expect(calls).toBe(4); // every part was still stored and pushed
      expect(await rowsOf('big-push')).toEqual({ n: 3500, users: 3500 });
    } finally {
      realtime.publishNotifications = original;
    }
  });

  it('does not store in parts what was stored whole before', async () => {
    const store = app.app.get(NotificationStore);
    const users = many('whole', 2100);
    const input = toUsers('big-2', users);
    await store.storeBatch([input]);
    const parts: boolean[] = [];
    await store.storeInParts(input, users, (part) => parts.push(part.created));
    expect(parts).toEqual([false]);
    expect(await rowsOf('big-2')).toEqual({ n: 2100, users: 2100 });
  });

  /** A topic with these subscribers, as TopicsService would have left it. */
  const seedTopic = async (topic: string, users: string[]) => {
    await db.query(
      `INSERT INTO topic_subscriptions (topic, user_id) SELECT $1, u FROM unnest($2::varchar[]) u`,
      [topic, users],
    );
    await db.query(`INSERT INTO topics (topic, subscribers) VALUES ($1, $2)`, [
      topic,
      users.length,
    ]);
  };

  it("freezes a large topic's subscribers in Postgres, not in its job, and drops them once stored", async () => {
    await seedTopic('crowd', many('sub', 2100));
    const service = app.app.get(NotificationsService);
    const { jobId } = await service.publish(publisher, {
      topic: 'crowd',
      type: 'batch.test',
      title: 'to the crowd',
    });
    await eventually(async () => (await rowsOf(jobId)).n === 2100, 10_000, 'the topic stored');
    const queue = app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    const job = await eventually(
      async () =>
        (await queue.getJobs(['completed'])).find((j) =>
          (j.data as Partial<PublishBatchJobData>).items?.some(
            (item) => item.publicationId === jobId,
          ),
        ),
      5000,
      'the batch job completed',
    );
    const item = (job.data as PublishBatchJobData).items.find((i) => i.publicationId === jobId);
    expect(item?.recipients).toBeUndefined(); // the job stays small
    const claims = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM publications WHERE job_id LIKE $1`,
      [`${jobId}#%`],
    );
    expect(claims.rows[0].n).toBe(3);
    const snapshots = await db.query('SELECT 1 FROM publication_snapshots');
    expect(snapshots.rowCount).toBe(0);
  });

  it('stores a retried large topic publish to the recipients frozen on its first run', async () => {
    await seedTopic('crowd-2', many('frozen', 2100));
    const snapshots = app.app.get(PublicationSnapshots);
    // The first run froze the list, then failed before storing; meanwhile someone subscribed.
    expect(await snapshots.freeze('pub-frozen', 'crowd-2')).toHaveLength(2100);
    await db.query(`INSERT INTO topic_subscriptions (topic, user_id) VALUES ('crowd-2', 'late')`);
    // ... and most left: the retry must still store the frozen parts, not the topic as it is.
    await db.query(
      `DELETE FROM topic_subscriptions WHERE topic = 'crowd-2' AND user_id > 'frozen-00100'`,
    );
    await app.app.get(NotificationsProcessor).publishBatch([
      {
        publicationId: 'pub-frozen',
        publisherId: 'p',
        target: { topic: 'crowd-2' },
        type: 'batch.test',
        title: 'frozen',
        body: '',
        data: {},
        acceptedAt: Date.now(),
      },
    ]);
    expect(await rowsOf('pub-frozen')).toEqual({ n: 2100, users: 2100 });
  });
});

describe('PublishBatcher', () => {
  it('queues publishes accepted together as one job and delivers them in order', async () => {
    const socket = await TestSocket.connect(app.wsUrl, tokenFor('dana'));
    try {
      const queue = app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
      const before = await queue.getJobCounts();
      const service = app.app.get(NotificationsService);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          service.publish(publisher, { userIds: ['dana'], type: 'batch.test', title: `n${i}` }),
        ),
      );
      expect(new Set(answers.map((a) => a.jobId)).size).toBe(20);
      const after = await queue.getJobCounts();
      const added = (counts: typeof before) =>
        counts.waiting + counts.active + counts.completed + counts.failed + counts.delayed;
      expect(added(after) - added(before)).toBe(1);

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
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await countFor('gil')).toBe(3);
    } finally {
      socket.close();
    }
  });

  it('queues nothing when one publish is bad, and says which', async () => {
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
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await countFor('ida')).toBe(0);
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

describe('NotificationsProcessor', () => {
  it('stores the rest of a batch when Postgres refuses one publish, and fails the job', async () => {
    const processor = app.app.get(NotificationsProcessor);
    const item = (publicationId: string, title: string) => ({
      publicationId,
      publisherId: 'p',
      target: { userIds: ['eve'] },
      type: 'batch.test',
      title,
      body: '',
      data: {},
      acceptedAt: Date.now(),
    });
    // A title over the column's 200 characters: only a publish that skipped the API's checks
    // (an old job, another producer) can hold one, but it must not take the batch down.
    await expect(
      processor.publishBatch([
        item('p-ok-1', 'fine'),
        item('p-bad', 'x'.repeat(300)),
        item('p-ok-2', 'also fine'),
      ]),
    ).rejects.toMatchObject({ code: '22001' });
    const rows = await db.query<{ job_id: string; seq: number }>(
      `SELECT job_id, seq FROM notifications WHERE user_id = 'eve' ORDER BY seq`,
    );
    expect(rows.rows).toEqual([
      { job_id: 'p-ok-1', seq: 1 },
      { job_id: 'p-ok-2', seq: 2 },
    ]);
  });

  it('still runs a `publish` job queued by a version before batching', async () => {
    const queue = app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    await queue.add(
      'publish',
      {
        publisherId: 'p',
        target: { userIds: ['fay'] },
        type: 'batch.test',
        title: 'from an old producer',
        body: '',
        data: {},
        acceptedAt: Date.now(),
      },
      { jobId: 'pub-legacy-1' },
    );
    const row = await eventually(
      async () =>
        (
          await db.query<{ job_id: string; seq: number }>(
            `SELECT job_id, seq FROM notifications WHERE user_id = 'fay'`,
          )
        ).rows[0],
      5000,
      'the legacy job stored',
    );
    expect(row).toEqual({ job_id: 'pub-legacy-1', seq: 1 });
  });
});

/**
 * `publisher` on every notification (issue 12): the publishing token's `sub`, in REST and in
 * WebSocket frames; rows stored before it was recorded are backfilled by the migration, and
 * topics that existed before it are migrated closed. Jobs queued by earlier versions (a topic
 * publish whose subscribers were frozen into the job) are still processed.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { BASE_ENV } from './support/env';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

const herald = useTestApp();

const inboxOf = async (userId: string) =>
  (
    (
      await request(herald.url)
        .get('/v1/notifications')
        .set('Authorization', `Bearer ${tokenFor(userId)}`)
    ).body as { items: { title: string; publisher: string }[] }
  ).items;

describe('publisher', () => {
  it("is the publishing token's sub, in the frame and in the inbox", async () => {
    const socket = await herald.connect('ivy');
    await herald
      .client(serviceToken('billing-service'))
      .publish({ userIds: ['ivy'], type: 'invoice.paid', title: 'Paid' });
    expect(await socket.next('notification')).toMatchObject({
      title: 'Paid',
      publisher: 'billing-service',
    });
    expect((await inboxOf('ivy'))[0]).toMatchObject({
      title: 'Paid',
      publisher: 'billing-service',
    });
  });

  it('is recorded for a topic publish frozen into its job by an earlier version', async () => {
    const queue = herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
    await queue.add(
      'publish-batch',
      {
        items: [
          {
            publicationId: 'pub-frozen-in-job',
            publisherId: 'old-service',
            target: { topic: 'legacy' },
            recipients: ['jay', 'kim'],
            type: 'legacy',
            title: 'Frozen in the job',
            body: '',
            data: {},
            acceptedAt: Date.now(),
          },
        ],
      },
      { jobId: 'batch-legacy-frozen' },
    );
    const item = await eventually(async () => (await inboxOf('kim'))[0], 5000, 'stored');
    expect(item).toMatchObject({ title: 'Frozen in the job', publisher: 'old-service' });
    expect((await inboxOf('jay'))[0]).toMatchObject({ publisher: 'old-service' });
  });
});

describe('the TopicAccessPublisher migration', () => {
  const database = `${herald.isolation.database}_m`;
  const url = () => {
    const u = new URL(BASE_ENV.ADMIN_DATABASE_URL);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const admin = async <T>(run: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: BASE_ENV.ADMIN_DATABASE_URL });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  const migrate = async (upTo: number) => {
    const dataSource = new DataSource({
      type: 'postgres',
      url: url(),
      migrations: migrations.slice(0, upTo),
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  };

  afterAll(() => admin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));

  it('migrates existing topics closed, counts them, and backfills publishers', async () => {
    await admin((c) => c.query(`CREATE DATABASE "${database}"`));
    const last = migrations.findIndex((m) => m.name === 'TopicAccessPublisher1796160712529');
    expect(last).toBeGreaterThan(0);
    await migrate(last);
    const db = new Client({ connectionString: url() });
    await db.connect();
    try {
      await db.query(`INSERT INTO topic_subscriptions (topic, user_id)
                      VALUES ('ops', 'a'), ('ops', 'b'), ('news', 'a')`);
      await db.query(`INSERT INTO publications (job_id, publisher_id, recipients)
                      VALUES ('pub-1', 'billing', 1), ('task-1', 'herald:tasks', 1),
                             ('task-2', 'herald:tasks', 1)`);
      await db.query(`INSERT INTO notifications (user_id, seq, type, title, data, job_id) VALUES
        ('a', 1, 'invoice.paid', 'p', '{}', 'pub-1'),
        ('a', 2, 'task.assigned', 't', '{"assignedBy": "alice"}', 'task-1'),
        ('a', 3, 'task.due', 'd', '{}', 'task-2'),
        ('a', 4, 'x', 'orphan', '{}', 'gone')`);
      await migrate(migrations.length);

      const topics = await db.query(
        'SELECT topic, self_subscribe, subscribers FROM topics ORDER BY topic',
      );
      expect(topics.rows).toEqual([
        { topic: 'news', self_subscribe: false, subscribers: 1 },
        { topic: 'ops', self_subscribe: false, subscribers: 2 },
      ]);
      const counts = await db.query('SELECT user_id, topics FROM user_topic_counts ORDER BY 1');
      expect(counts.rows).toEqual([
        { user_id: 'a', topics: 2 },
        { user_id: 'b', topics: 1 },
      ]);
      const publishers = await db.query('SELECT seq, publisher FROM notifications ORDER BY seq');
      expect(publishers.rows).toEqual([
        { seq: 1, publisher: 'billing' },
        { seq: 2, publisher: 'alice' },
        { seq: 3, publisher: 'herald:tasks' },
        { seq: 4, publisher: 'unknown' },
      ]);
    } finally {
      await db.end();
    }
  });
});

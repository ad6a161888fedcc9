/**
 * Group commit, in storage: publishes stored together are one statement, with per-user seqs in
 * batch order and per-publish idempotency; a large publication is stored in parts, each once,
 * and a large topic's recipients are frozen so that a retry stores the same parts.
 */
import type { Client } from 'pg';
import { NotificationStore, type PublicationInput } from '../src/notifications/notification-store';
import { NotificationsProcessor } from '../src/notifications/notifications.processor';
import { PublicationSnapshots } from '../src/notifications/publication-snapshots';
import {
  batched,
  completedJobsHolding,
  content,
  many,
  rowsOf,
  toUsers,
} from './publish-batching.fixtures';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp();
let db: Client;

beforeAll(async () => {
  db = await herald.db();
});

describe('NotificationStore.storeBatch', () => {
  it('numbers each user in batch order across listed and topic publishes, once', async () => {
    await db.query(
      `INSERT INTO topic_subscriptions (topic, user_id) VALUES ('ops', 'ann'), ('ops', 'cy')`,
    );
    const store = herald.get(NotificationStore);
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
  it('stores each recipient once, pushes each part as it commits, and a retry adds nothing', async () => {
    const store = herald.get(NotificationStore);
    const users = many('part', 2500);
    const input = toUsers('big-1', users);
    const parts: { created: boolean; n: number }[] = [];
    await store.storeInParts(input, users, (part) =>
      parts.push({ created: part.created, n: part.recipients.length }),
    );
    // Two parts are in flight at once, so they may commit (and be handed over) in any order.
    expect([...parts].sort((a, b) => b.n - a.n)).toEqual([
      { created: true, n: 1000 },
      { created: true, n: 1000 },
      { created: true, n: 500 },
    ]);
    expect(await rowsOf(db, 'big-1')).toEqual({ n: 2500, users: 2500 });
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
    expect(await rowsOf(db, 'big-1')).toEqual({ n: 2500, users: 2500 });
  });

  it('does not store in parts what was stored whole before', async () => {
    const store = herald.get(NotificationStore);
    const users = many('whole', 2100);
    const input = toUsers('big-2', users);
    await store.storeBatch([input]);
    const parts: boolean[] = [];
    await store.storeInParts(input, users, (part) => parts.push(part.created));
    expect(parts).toEqual([false]);
    expect(await rowsOf(db, 'big-2')).toEqual({ n: 2100, users: 2100 });
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
    const { jobId } = await herald.publish({ topic: 'crowd' }, { title: 'to the crowd' });
    await eventually(async () => (await rowsOf(db, jobId)).n === 2100, 10_000, 'the topic stored');
    const [job] = await eventually(
      async () => {
        const jobs = await completedJobsHolding(herald, jobId);
        return jobs.length > 0 ? jobs : null;
      },
      5000,
      'the batch job completed',
    );
    const item = job.data.items.find((i) => i.publicationId === jobId);
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
    const snapshots = herald.get(PublicationSnapshots);
    // The first run froze the list, then failed before storing; meanwhile someone subscribed.
    expect(await snapshots.freeze('pub-frozen', 'crowd-2')).toHaveLength(2100);
    await db.query(`INSERT INTO topic_subscriptions (topic, user_id) VALUES ('crowd-2', 'late')`);
    // ... and most left: the retry must still store the frozen parts, not the topic as it is.
    await db.query(
      `DELETE FROM topic_subscriptions WHERE topic = 'crowd-2' AND user_id > 'frozen-00100'`,
    );
    await herald
      .get(NotificationsProcessor)
      .publishBatch([batched('pub-frozen', { target: { topic: 'crowd-2' }, title: 'frozen' })]);
    expect(await rowsOf(db, 'pub-frozen')).toEqual({ n: 2100, users: 2100 });
  });
});

/**
 * Retention: notifications past NOTIFICATION_RETENTION_DAYS go in bounded batches, the unread
 * count stays exact when unread (archived, snoozed) rows expire, the user's sockets hear of it,
 * and publication claims (idempotency) are kept as long and then go too.
 */
import type { Client } from 'pg';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({
  env: {
    NOTIFICATION_RETENTION_DAYS: '1',
    RETENTION_INTERVAL_MS: '200',
    RETENTION_BATCH_SIZE: '25',
  },
});
let db: Client;

beforeAll(async () => {
  db = await herald.db();
});

const count = async (query: string, params: unknown[]) =>
  (await db.query<{ n: number }>(query, params)).rows[0].n;

it('deletes expired notifications in batches and keeps the unread count exact', async () => {
  const userId = 'expiring';
  const api = herald.as(userId).inbox;
  await herald.service.publishBatch(
    Array.from({ length: 60 }, (_, i) => ({ userIds: [userId], type: 't', title: `n${i}` })),
  );
  const rows = (await herald.stored(userId, 60)).reverse();
  // Some read, some archived, some snoozed, most unread: old and recent ones of each.
  await api.readMany(rows.slice(0, 10).map((r) => r.id));
  await api.archiveMany(rows.slice(10, 15).map((r) => r.id));
  for (const row of [rows[15], rows[16], rows[55]]) {
    await api.snooze(row.id, new Date(Date.now() + 3600_000));
  }
  const socket = await herald.connect(userId);
  const recent = rows.slice(50).map((r) => r.id);
  await db.query(
    `UPDATE notifications SET created_at = now() - interval '2 days'
     WHERE user_id = $1 AND NOT (id = ANY($2::uuid[]))`,
    [userId, recent],
  );
  await eventually(
    async () =>
      (await count('SELECT count(*)::int AS n FROM notifications WHERE user_id = $1', [userId])) ===
      10,
    10_000,
    'expired rows gone',
  );
  const stored = await count(
    'SELECT unread_count AS n FROM notification_counters WHERE user_id = $1',
    [userId],
  );
  const actual = await count(
    `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1
     AND read_at IS NULL AND archived_at IS NULL AND snoozed_until IS NULL`,
    [userId],
  );
  expect(stored).toBe(actual);
  expect(actual).toBe(9); // the ten recent ones, one of them snoozed
  expect(await api.unreadCount()).toBe(9);
  // In bounded batches (25 rows per statement), each announced to the user's sockets.
  await eventually(
    () => socket.all('deleted').flatMap((d) => d.ids).length === 50,
    5000,
    'deleted',
  );
  expect(socket.all('deleted').length).toBeGreaterThanOrEqual(2);
  expect(Math.max(...socket.all('deleted').map((d) => d.ids.length))).toBeLessThanOrEqual(25);
  await eventually(() => socket.all('unread').at(-1)?.count === 9, 5000, 'unread pushed');
});

it('honours an idempotency key for the retention period, then lets its claim go', async () => {
  const body = { userIds: ['idem'], type: 't', title: 'once', idempotencyKey: 'k-1' };
  const first = await herald.service.publish(body);
  await herald.stored('idem', 1);
  // Half a day old: still within the retention period.
  await db.query(
    `UPDATE publications SET created_at = now() - interval '12 hours' WHERE job_id = $1`,
    [first.jobId],
  );
  await db.query(
    `INSERT INTO publications (job_id, publisher_id, recipients, created_at)
     VALUES ('pub-ancient', 'svc', 1, now() - interval '3 days')`,
  );
  await eventually(
    async () =>
      (await count(
        `SELECT count(*)::int AS n FROM publications WHERE job_id = 'pub-ancient'`,
        [],
      )) === 0,
    5000,
    'the old claim gone',
  );
  const again = await herald.service.publish(body);
  expect(again.jobId).toBe(first.jobId);
  await herald.publish('idem', { type: 't', title: 'marker' });
  const stored = await herald.stored('idem', 2);
  expect(stored.map((r) => r.title)).toEqual(['marker', 'once']);
});

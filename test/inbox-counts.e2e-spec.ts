/**
 * The unread count under concurrent archive, delete, snooze, wake-up and read from two devices
 * (checked against count(*)), and the query plans of every view on a user with 100,000 rows.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Client } from 'pg';
import type { HeraldSocket } from '../src/client';
import type { ListNotificationsQuery } from '../src/notifications/dto/list-notifications.query';
import { InboxRepository } from '../src/notifications/inbox.repository';
import { INBOX_QUEUE } from '../src/notifications/lifecycle/inbox.jobs';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ instances: 2 });
let db: Client;

beforeAll(async () => {
  db = await herald.db();
});

const COUNTED_SQL = `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1
  AND read_at IS NULL AND archived_at IS NULL AND snoozed_until IS NULL`;

async function counts(userId: string): Promise<{ stored: number; actual: number }> {
  const stored = await db.query<{ unread_count: number }>(
    'SELECT unread_count FROM notification_counters WHERE user_id = $1',
    [userId],
  );
  const actual = await db.query<{ n: number }>(COUNTED_SQL, [userId]);
  return { stored: stored.rows[0].unread_count, actual: actual.rows[0].n };
}

describe('the unread count', () => {
  it('stays exact while two devices archive, delete, snooze, wake and read the same rows', async () => {
    const userId = 'hammered';
    const batch = (offset: number) =>
      herald.service.publishBatch(
        Array.from({ length: 100 }, (_, i) => ({
          userIds: [userId],
          type: 'load',
          title: `n${offset + i}`,
        })),
      );
    await batch(0);
    await batch(100);
    await eventually(async () => (await counts(userId)).actual === 200, 10_000, '200 rows');
    const ids = (
      await db.query<{ id: string }>(
        'SELECT id FROM notifications WHERE user_id = $1 ORDER BY seq',
        [userId],
      )
    ).rows.map((r) => r.id);
    const sockets = await Promise.all([herald.connect(userId), herald.connect(userId, { on: 1 })]);
    const queue = herald.get<Queue>(getQueueToken(INBOX_QUEUE));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // A few hot rows, so that the two devices often act on the same row at the same moment.
    const pick = () => ids[Math.floor(random() * 30)];
    const until = () =>
      new Date(Date.now() + 60 * 60_000 + Math.floor(random() * 1e6)).toISOString();
    const failures: number[] = [];
    const device = (on: number, socket: HeraldSocket) => {
      const client = herald.as(userId, { on });
      // Raw calls: a 404 (a row another device deleted) is an expected answer here, a 5xx not.
      const post = (path: string, body?: unknown) =>
        client.request('POST', `/v1/notifications${path}`, { body });
      const del = (path: string) => client.request('DELETE', `/v1/notifications${path}`);
      const ops: (() => Promise<unknown>)[] = [
        () => post(`/${pick()}/archive`),
        () => post(`/${pick()}/unarchive`),
        () => post('/archive', { ids: [pick(), pick(), pick()] }),
        () => post('/unarchive', { ids: [pick(), pick()] }),
        () => post(`/${pick()}/snooze`, { until: until() }),
        () => del(`/${pick()}/snooze`),
        () => post(`/${pick()}/read`),
        () => post('/read', { ids: [pick(), pick()] }),
        () => Promise.resolve(socket.send('read', { ids: [pick(), pick()] })),
        () => del(`/${pick()}`),
        async () => {
          const [job] = await queue.getDelayed(0, 0);
          await job?.promote().catch(() => undefined); // a wake-up now
        },
      ];
      return async () => {
        for (let i = 0; i < 60; i++) {
          const answer = await ops[Math.floor(random() * ops.length)]();
          const status = (answer as { status?: number } | undefined)?.status ?? 200;
          if (status >= 500) failures.push(status);
        }
      };
    };
    const workers = [
      ...Array.from({ length: 4 }, () => device(0, sockets[0])),
      ...Array.from({ length: 4 }, () => device(1, sockets[1])),
    ];
    const more = batch(200); // and new notifications arriving meanwhile
    await Promise.all([...workers.map((run) => run()), more]);
    await eventually(async () => (await queue.getActiveCount()) === 0, 10_000, 'wake-ups done');
    await eventually(
      async () => {
        const { stored, actual } = await counts(userId);
        return (
          stored === actual &&
          (await db.query(COUNTED_SQL.replace('count(*)::int AS n', '1'), [userId])) &&
          true
        );
      },
      5000,
      'settled',
    );
    expect(failures).toEqual([]);
    const { stored, actual } = await counts(userId);
    expect(stored).toBe(actual);
    expect(await herald.as(userId).inbox.unreadCount()).toBe(actual);
    // What the sockets were last told agrees with it too.
    for (const socket of sockets) {
      await eventually(() => socket.all('unread').at(-1)?.count === actual, 5000, 'last unread');
    }
  });
});

type Plan = { 'Node Type': string; 'Index Name'?: string; 'Actual Rows'?: number; Plans?: Plan[] };

function nodes(plan: Plan): Plan[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('query plans on a user with 100,000 notifications', () => {
  const userId = 'heavy';

  beforeAll(async () => {
    await db.query(
      `INSERT INTO notifications (user_id, seq, type, title, job_id, topic, read_at, archived_at, snoozed_until)
       SELECT $1, g, (ARRAY['task.due', 'billing.paid', 'marketing.promo'])[1 + g % 3], 'n', 'seed',
              CASE WHEN g % 7 = 0 THEN 'releases' END,
              CASE WHEN g % 3 <> 0 THEN now() END,
              CASE WHEN g % 10 = 0 THEN now() END,
              CASE WHEN g % 50 = 1 THEN now() + interval '1 day' END
       FROM generate_series(1, 100000) AS g`,
      [userId],
    );
    await db.query(
      `INSERT INTO notification_counters (user_id, last_seq, unread_count)
       VALUES ($1, 100000, (${COUNTED_SQL.replace('$1', `'${userId}'`).replace('SELECT count(*)::int AS n', 'SELECT count(*)')}))`,
      [userId],
    );
    await db.query('ANALYZE notifications');
  }, 60_000);

  const cases: [string, Partial<ListNotificationsQuery>, string][] = [
    ['inbox', { view: 'inbox' }, 'IDX_notifications_inbox'],
    ['inbox, unread', { view: 'inbox', unread: 'true' }, 'IDX_notifications_inbox_unread'],
    ['archived', { view: 'archived' }, 'IDX_notifications_archived'],
    ['snoozed', { view: 'snoozed' }, 'IDX_notifications_snoozed'],
    ['all', { view: 'all' }, 'UQ_notifications_user_seq'],
    ['all, unread', { view: 'all', unread: 'true' }, 'IDX_notifications_unread'],
    ['inbox, an older page', { view: 'inbox', before: 50_000 }, 'IDX_notifications_inbox'],
    ['all, one type', { view: 'all', type: 'billing.paid' }, 'IDX_notifications_user_type'],
    ['all, one topic', { view: 'all', topic: 'releases' }, 'IDX_notifications_user_topic'],
  ];

  it.each(cases)('%s: an index scan that reads one page, no sort', async (_name, query, index) => {
    const qb = herald
      .get(InboxRepository)
      .listQuery(userId, { limit: 20, view: 'inbox', ...query });
    const [text, params] = qb.getQueryAndParameters();
    const result = await db.query<{ 'QUERY PLAN': { Plan: Plan }[] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
      params,
    );
    const all = nodes(result.rows[0]['QUERY PLAN'][0].Plan);
    const scan = all.find((node) => node['Index Name']);
    expect(scan?.['Index Name']).toBe(index);
    expect(scan?.['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(all.some((node) => node['Node Type'] === 'Sort')).toBe(false);
    expect(scan?.['Actual Rows']).toBeLessThanOrEqual(21);
  });
});

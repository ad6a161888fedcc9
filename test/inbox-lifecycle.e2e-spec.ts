/**
 * Archive, unarchive, delete and snooze over REST, scoped to the caller, synced to every socket
 * of the user on every instance (two sockets, two instances), views and filters, and snooze
 * wake-ups that are restart-safe and idempotent.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { INBOX_QUEUE, snoozeJobId } from '../src/notifications/lifecycle/inbox.jobs';
import { inboxClient } from './support/inbox-client';
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

const isolation = newIsolation('lifecycle');
let app: TestApp;
let second: TestApp;
const sockets: TestSocket[] = [];
let n = 0;
const user = (name: string) => `${name}-${++n}`;
const api = inboxClient(() => app);
const inboxQueue = (on: TestApp = app) => on.app.get<Queue>(getQueueToken(INBOX_QUEUE));

async function connect(userId: string, on: TestApp = app): Promise<TestSocket> {
  const socket = await TestSocket.connect(on.wsUrl, tokenFor(userId));
  sockets.push(socket);
  return socket;
}

const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

beforeAll(async () => {
  app = await startTestApp(isolation);
  second = await startTestApp(isolation);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await second?.close();
  await app?.close();
  await destroyIsolation(isolation);
});

describe('archive', () => {
  it('archives one (marking it read), pushes archived then unread to both sockets, unarchives', async () => {
    const alice = user('alice');
    const [b, a] = await api.seed(alice, 2);
    const phone = await connect(alice);
    const laptop = await connect(alice, second); // another instance
    const archived = await api.post(alice, `/${a.id}/archive`).expect(200);
    expect(archived.body.archivedAt).toEqual(expect.any(String));
    expect(archived.body.readAt).toEqual(expect.any(String));
    for (const socket of [phone, laptop]) {
      expect(await socket.next('archived')).toEqual({
        ids: [a.id],
        archivedAt: archived.body.archivedAt,
      });
      expect(await socket.next('unread')).toEqual({ count: 1 });
    }
    expect(ids(await api.list(alice))).toEqual([b.id]);
    expect(ids(await api.list(alice, '?view=archived'))).toEqual([a.id]);
    expect(ids(await api.list(alice, '?view=all'))).toEqual([b.id, a.id]);
    expect(await api.unread(alice)).toBe(1);

    // Archiving again changes nothing and answers the notification as it is.
    const again = await api.post(alice, `/${a.id}/archive`).expect(200);
    expect(again.body.archivedAt).toBe(archived.body.archivedAt);

    const back = await api.post(alice, `/${a.id}/unarchive`).expect(200);
    expect(back.body.archivedAt).toBeNull();
    expect(back.body.readAt).toEqual(expect.any(String)); // stays read
    expect(await laptop.next('unarchived')).toEqual({ ids: [a.id] });
    expect(ids(await api.list(alice))).toEqual([b.id, a.id]);
    expect(await api.unread(alice)).toBe(1);
  });

  it('archives many and all, answering how many changed', async () => {
    const bob = user('bob');
    const rows = await api.seed(bob, 4);
    const socket = await connect(bob);
    const some = await api.post(bob, '/archive', { ids: [rows[0].id, rows[1].id] }).expect(200);
    expect(some.body).toEqual({ updated: 2 });
    expect((await socket.next('archived')).ids.sort()).toEqual([rows[0].id, rows[1].id].sort());
    expect(await socket.next('unread')).toEqual({ count: 2 });
    expect(await api.post(bob, '/archive-all').expect(200)).toHaveProperty('body', { updated: 2 });
    const all = await socket.next('archived');
    expect(all.all).toBe(true);
    expect(all.ids.sort()).toEqual([rows[2].id, rows[3].id].sort());
    expect(await socket.next('unread')).toEqual({ count: 0 });
    expect((await api.list(bob)).items).toEqual([]);
    expect(await api.post(bob, '/unarchive-all').expect(200)).toHaveProperty('body', {
      updated: 4,
    });
    expect((await api.list(bob)).items).toHaveLength(4);
  });
});

describe('scoping and validation', () => {
  it("answers 404 for another user's notification and changes nothing", async () => {
    const owner = user('owner');
    const [row] = await api.seed(owner, 1);
    const intruder = user('intruder');
    for (const path of ['/archive', '/unarchive', '/snooze']) {
      await api.post(intruder, `/${row.id}${path}`, { until: inMinutes(10) }).expect(404);
    }
    await api.del(intruder, `/${row.id}`).expect(404);
    await api.del(intruder, `/${row.id}/snooze`).expect(404);
    await api.post(intruder, '/archive', { ids: [row.id] }).expect(200, { updated: 0 });
    await api.post(intruder, '/delete', { ids: [row.id] }).expect(200, { updated: 0 });
    await api.post(intruder, '/archive/x').expect(404);
    await api.del(intruder, '/not-a-uuid').expect(404);
    const [mine] = (await api.list(owner)).items;
    expect(mine).toMatchObject({ id: row.id, archivedAt: null, snoozedUntil: null, readAt: null });
  });

  it('validates bodies and queries, naming the field', async () => {
    const u = user('valid');
    const [row] = await api.seed(u, 1);
    const bad: [string, unknown, string][] = [
      [`/${row.id}/snooze`, {}, 'until'],
      [`/${row.id}/snooze`, { until: 'tomorrow' }, 'until'],
      [`/${row.id}/snooze`, { until: inMinutes(0.5) }, 'until'],
      [`/${row.id}/snooze`, { until: inMinutes(91 * 24 * 60) }, 'until'],
      [`/${row.id}/snooze`, { until: inMinutes(10), extra: 1 }, 'extra'],
      ['/archive', { ids: ['nope'] }, 'ids'],
      ['/archive', { ids: [] }, 'ids'],
      ['/delete-all', {}, 'view'],
      ['/delete-all', { view: 'everything' }, 'view'],
    ];
    for (const [path, body, field] of bad) {
      const response = await api.post(u, path, body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    for (const query of ['?view=trash', '?type=a*b', '?type=', '?topic=no%20spaces']) {
      await expect(api.list(u, query)).rejects.toThrow(/400/);
    }
  });
});

describe('delete', () => {
  it('deletes one (204, then 404), many, and all of a view; pushes deleted and unread', async () => {
    const carol = user('carol');
    const rows = await api.seed(carol, 5);
    const socket = await connect(carol);
    await api.del(carol, `/${rows[0].id}`).expect(204);
    expect(await socket.next('deleted')).toEqual({ ids: [rows[0].id] });
    expect(await socket.next('unread')).toEqual({ count: 4 });
    await api.del(carol, `/${rows[0].id}`).expect(404);
    await api.post(carol, '/delete', { ids: [rows[1].id, rows[2].id] }).expect(200, { updated: 2 });
    expect(await socket.next('unread')).toEqual({ count: 2 });
    await api.post(carol, `/${rows[3].id}/archive`).expect(200);
    await api.post(carol, '/delete-all', { view: 'archived' }).expect(200, { updated: 1 });
    expect((await api.list(carol, '?view=all')).items.map((r) => r.id)).toEqual([rows[4].id]);
    await api.post(carol, '/delete-all', { view: 'all' }).expect(200, { updated: 1 });
    expect(await api.unread(carol)).toBe(0);
  });
});

describe('views and filters', () => {
  it('filters by exact type, type prefix and topic, combined with unread and paging', async () => {
    const dave = user('dave');
    for (const type of ['billing.paid', 'billing.refund', 'task.due', 'billingx.other']) {
      await api.publish({ userIds: [dave], type, title: type }).expect(202);
    }
    await api.publish({ userIds: [dave], type: 'billing.paid', title: 'again' }).expect(202);
    await eventually(async () => (await api.list(dave)).items.length === 5, 8000, 'rows');
    const types = async (query: string) => (await api.list(dave, query)).items.map((r) => r.type);
    expect(await types('?type=billing.paid')).toEqual(['billing.paid', 'billing.paid']);
    expect(await types('?type=billing.*')).toEqual([
      'billing.paid',
      'billing.refund',
      'billing.paid',
    ]);
    const page = await api.list(dave, '?type=billing.*&limit=2');
    expect(page.items).toHaveLength(2);
    const rest = await api.list(dave, `?type=billing.*&limit=2&before=${page.nextBefore}`);
    expect(rest.items.map((r) => r.title)).toEqual(['billing.paid']);
    await api.post(dave, '/read', { ids: [page.items[0].id] }).expect(200);
    expect(await types('?type=billing.*&unread=true')).toEqual(['billing.refund', 'billing.paid']);
  });

  it('filters by topic', async () => {
    const erin = user('erin');
    await request(app.url)
      .put('/v1/topics/releases/subscribers')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ userIds: [erin] })
      .expect(200);
    await api.publish({ topic: 'releases', type: 'r', title: 'v2' }).expect(202);
    await api.publish({ userIds: [erin], type: 'r', title: 'direct' }).expect(202);
    await eventually(async () => (await api.list(erin)).items.length === 2, 8000, 'rows');
    expect((await api.list(erin, '?topic=releases')).items.map((r) => r.title)).toEqual(['v2']);
  });
});

describe('snooze', () => {
  it('takes it out of the inbox and the count, then wakes it unread on every socket', async () => {
    const frank = user('frank');
    const [b, a] = await api.seed(frank, 2);
    await api.post(frank, `/${a.id}/read`).expect(200);
    const phone = await connect(frank);
    const laptop = await connect(frank, second);
    const until = inMinutes(5);
    const snoozed = await api.post(frank, `/${b.id}/snooze`, { until }).expect(200);
    expect(snoozed.body.snoozedUntil).toBe(until);
    for (const socket of [phone, laptop]) {
      expect(await socket.next('snoozed')).toEqual({ ids: [b.id], until });
      expect(await socket.next('unread')).toEqual({ count: 0 });
    }
    expect(ids(await api.list(frank))).toEqual([a.id]);
    expect(ids(await api.list(frank, '?view=snoozed'))).toEqual([b.id]);

    // The delayed job is in Redis; run it now instead of in five minutes.
    const job = await inboxQueue().getJob(snoozeJobId(b.id, Date.parse(until)));
    expect(job && (await job.getState())).toBe('delayed');
    await job!.promote();
    for (const socket of [phone, laptop]) {
      const { notification } = await socket.next('unsnoozed', 5000);
      expect(notification).toMatchObject({ id: b.id, snoozedUntil: null, readAt: null });
      expect(await socket.next('unread')).toEqual({ count: 1 });
    }
    expect(ids(await api.list(frank))).toEqual([b.id, a.id]);
  });

  it('a read notification comes back unread; moving the snooze moves the job', async () => {
    const gina = user('gina');
    const [row] = await api.seed(gina, 1);
    await api.post(gina, `/${row.id}/read`).expect(200);
    const first = inMinutes(10);
    const later = inMinutes(20);
    await api.post(gina, `/${row.id}/snooze`, { until: first }).expect(200);
    await api.post(gina, `/${row.id}/snooze`, { until: later }).expect(200);
    const queue = inboxQueue();
    expect(await queue.getJob(snoozeJobId(row.id, Date.parse(first)))).toBeNull();
    const job = await queue.getJob(snoozeJobId(row.id, Date.parse(later)));
    expect(await job?.getState()).toBe('delayed');
    expect(await api.unread(gina)).toBe(0);
    await job!.promote();
    await eventually(async () => (await api.unread(gina)) === 1, 5000, 'woken unread');
    expect((await api.list(gina)).items[0]).toMatchObject({ id: row.id, readAt: null });
  });

  it('cancelling removes the job; a stale wake-up (unsnoozed or deleted row) does nothing', async () => {
    const hank = user('hank');
    const [kept, gone] = await api.seed(hank, 2);
    const socket = await connect(hank);
    const until = inMinutes(30);
    await api.post(hank, `/${kept.id}/snooze`, { until }).expect(200);
    await api.post(hank, `/${gone.id}/snooze`, { until }).expect(200);
    const queue = inboxQueue();
    const staleKept = await queue.getJob(snoozeJobId(kept.id, Date.parse(until)));
    const staleGone = await queue.getJob(snoozeJobId(gone.id, Date.parse(until)));

    const ended = await api.del(hank, `/${kept.id}/snooze`).expect(200);
    expect(ended.body).toMatchObject({ id: kept.id, snoozedUntil: null, readAt: null });
    expect((await socket.next('unsnoozed')).notification.id).toBe(kept.id);
    expect(await queue.getJob(snoozeJobId(kept.id, Date.parse(until)))).toBeNull();
    await api.del(hank, `/${gone.id}`).expect(204);
    expect(await api.unread(hank)).toBe(1);

    // The jobs as a worker could still hold them, re-added and run: nothing changes.
    for (const stale of [staleKept!, staleGone!]) {
      await queue.add('snooze.wake', stale.data, { jobId: `stale-${stale.id}` });
    }
    await eventually(
      async () => {
        const states = await Promise.all(
          [staleKept, staleGone].map(async (s) =>
            (await queue.getJob(`stale-${s!.id}`))?.getState(),
          ),
        );
        return states.every((state) => state === 'completed');
      },
      5000,
      'stale wake-ups run',
    );
    await api.post(hank, `/${kept.id}/archive`).expect(200); // a marker after the wake-ups
    await socket.next('archived');
    expect(socket.all('unsnoozed')).toHaveLength(1);
    expect(await api.unread(hank)).toBe(0);
  });

  it('survives a restart: the wake-up stays in Redis and the next instance runs it', async () => {
    const ivan = user('ivan');
    const [row] = await api.seed(ivan, 1);
    const until = inMinutes(2);
    await api.post(ivan, `/${row.id}/snooze`, { until }).expect(200);
    await second.close();
    second = await startTestApp(isolation);
    const socket = await connect(ivan, second);
    const job = await inboxQueue(second).getJob(snoozeJobId(row.id, Date.parse(until)));
    await job!.promote();
    expect((await socket.next('unsnoozed', 8000)).notification.id).toBe(row.id);
  });

  it('wakes a snooze whose job was lost, from the maintenance sweep', async () => {
    const judy = user('judy');
    const [row] = await api.seed(judy, 1);
    await api.post(judy, `/${row.id}/snooze`, { until: inMinutes(3) }).expect(200);
    const db = await sql(isolation);
    try {
      // As if Redis had lost the job and its time had passed.
      const [snoozed] = (await api.list(judy, '?view=snoozed')).items;
      await (
        await inboxQueue().getJob(snoozeJobId(row.id, Date.parse(snoozed.snoozedUntil!)))
      )?.remove();
      await db.query(
        `UPDATE notifications SET snoozed_until = now() - interval '5 minutes' WHERE id = $1`,
        [row.id],
      );
    } finally {
      await db.end();
    }
    const sweep = await inboxQueue().add('maintenance', {}, { jobId: `sweep-${row.id}` });
    await eventually(
      async () => {
        const state = await (await inboxQueue().getJob(sweep.id))?.getState();
        if (state === 'failed')
          throw new Error((await inboxQueue().getJob(sweep.id))!.failedReason);
        return state === 'completed';
      },
      8000,
      'the sweep',
    );
    expect(await api.unread(judy)).toBe(1);
  });
});

describe('documents', () => {
  it('lists every lifecycle and preferences endpoint in OpenAPI and every new frame in AsyncAPI', async () => {
    const openapi = (await request(app.url).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const expected: [string, string][] = [
      ['/v1/notifications/{id}/archive', 'post'],
      ['/v1/notifications/{id}/unarchive', 'post'],
      ['/v1/notifications/archive', 'post'],
      ['/v1/notifications/archive-all', 'post'],
      ['/v1/notifications/unarchive', 'post'],
      ['/v1/notifications/unarchive-all', 'post'],
      ['/v1/notifications/delete', 'post'],
      ['/v1/notifications/delete-all', 'post'],
      ['/v1/notifications/{id}', 'delete'],
      ['/v1/notifications/{id}/snooze', 'post'],
      ['/v1/notifications/{id}/snooze', 'delete'],
      ['/v1/me/preferences', 'get'],
      ['/v1/me/preferences', 'patch'],
      ['/v1/users/{userId}/preferences', 'get'],
      ['/v1/users/{userId}/preferences', 'patch'],
    ];
    for (const [path, method] of expected)
      expect([path, method, openapi.paths[path]?.[method]]).toEqual([
        path,
        method,
        expect.anything(),
      ]);
    expect(Object.keys(openapi.components.schemas['Notification'].properties ?? {})).toEqual(
      expect.arrayContaining(['critical', 'archivedAt', 'snoozedUntil']),
    );
    const list = JSON.stringify(openapi.paths['/v1/notifications']['get']);
    for (const name of ['"view"', '"type"', '"topic"']) expect(list).toContain(name);
    const asyncapi = (await request(app.url).get('/docs/asyncapi.json').expect(200)).body as {
      components: { messages: Record<string, unknown> };
    };
    for (const event of [
      'archived',
      'unarchived',
      'deleted',
      'snoozed',
      'unsnoozed',
      'preferences',
    ]) {
      expect(asyncapi.components.messages).toHaveProperty([`server.${event}`]);
    }
  });
});

/**
 * Archive, unarchive and delete over REST, scoped to the caller, synced to every socket of the
 * user on every instance (two sockets, two instances), views and filters, and the lifecycle
 * endpoints in the API documents. Snooze is in inbox-snooze.e2e-spec.ts.
 */
import type { InboxQuery } from '../src/client';
import { ids, inMinutes } from './inbox-lifecycle.fixtures';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ instances: 2 });
/** The status a user's raw call under /v1/notifications is answered with, and its body. */
const raw = (user: string, method: string, path: string, body?: unknown) =>
  herald.as(user).request<{ message?: unknown }>(method, `/v1/notifications${path}`, { body });

describe('archive', () => {
  it('archives one (marking it read), pushes archived then unread to both sockets, unarchives', async () => {
    const alice = herald.user('alice');
    const api = herald.as(alice).inbox;
    const [b, a] = await herald.seed(alice, 2);
    const phone = await herald.connect(alice);
    const laptop = await herald.connect(alice, { on: 1 }); // another instance
    const archived = await api.archive(a.id);
    expect(archived.archivedAt).toEqual(expect.any(String));
    expect(archived.readAt).toEqual(expect.any(String));
    for (const socket of [phone, laptop]) {
      expect(await socket.next('archived')).toEqual({
        ids: [a.id],
        archivedAt: archived.archivedAt,
      });
      expect(await socket.next('unread')).toEqual({ count: 1 });
    }
    expect(ids(await api.list())).toEqual([b.id]);
    expect(ids(await api.list({ view: 'archived' }))).toEqual([a.id]);
    expect(ids(await api.list({ view: 'all' }))).toEqual([b.id, a.id]);
    expect(await api.unreadCount()).toBe(1);

    // Archiving again changes nothing and answers the notification as it is.
    expect((await api.archive(a.id)).archivedAt).toBe(archived.archivedAt);

    const back = await api.unarchive(a.id);
    expect(back.archivedAt).toBeNull();
    expect(back.readAt).toEqual(expect.any(String)); // stays read
    expect(await laptop.next('unarchived')).toEqual({ ids: [a.id] });
    expect(ids(await api.list())).toEqual([b.id, a.id]);
    expect(await api.unreadCount()).toBe(1);
  });

  it('archives many and all, answering how many changed', async () => {
    const bob = herald.user('bob');
    const api = herald.as(bob).inbox;
    const rows = await herald.seed(bob, 4);
    const socket = await herald.connect(bob);
    expect(await api.archiveMany([rows[0].id, rows[1].id])).toEqual({ updated: 2 });
    expect((await socket.next('archived')).ids.sort()).toEqual([rows[0].id, rows[1].id].sort());
    expect(await socket.next('unread')).toEqual({ count: 2 });
    expect(await api.archiveAll()).toEqual({ updated: 2 });
    const all = await socket.next('archived');
    expect(all.all).toBe(true);
    expect(all.ids.sort()).toEqual([rows[2].id, rows[3].id].sort());
    expect(await socket.next('unread')).toEqual({ count: 0 });
    expect((await api.list()).items).toEqual([]);
    expect(await api.unarchiveAll()).toEqual({ updated: 4 });
    expect((await api.list()).items).toHaveLength(4);
  });
});

describe('scoping and validation', () => {
  it("answers 404 for another user's notification and changes nothing", async () => {
    const owner = herald.user('owner');
    const [row] = await herald.seed(owner, 1);
    const intruder = herald.user('intruder');
    for (const path of ['/archive', '/unarchive', '/snooze']) {
      const answer = await raw(intruder, 'POST', `/${row.id}${path}`, { until: inMinutes(10) });
      expect([path, answer.status]).toEqual([path, 404]);
    }
    expect((await raw(intruder, 'DELETE', `/${row.id}`)).status).toBe(404);
    expect((await raw(intruder, 'DELETE', `/${row.id}/snooze`)).status).toBe(404);
    const api = herald.as(intruder).inbox;
    expect(await api.archiveMany([row.id])).toEqual({ updated: 0 });
    expect(await api.deleteMany([row.id])).toEqual({ updated: 0 });
    expect((await raw(intruder, 'POST', '/archive/x')).status).toBe(404);
    expect((await raw(intruder, 'DELETE', '/not-a-uuid')).status).toBe(404);
    const [mine] = (await herald.as(owner).inbox.list()).items;
    expect(mine).toMatchObject({ id: row.id, archivedAt: null, snoozedUntil: null, readAt: null });
  });

  it('validates bodies and queries, naming the field', async () => {
    const u = herald.user('valid');
    const [row] = await herald.seed(u, 1);
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
      const response = await raw(u, 'POST', path, body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    for (const query of ['?view=trash', '?type=a*b', '?type=', '?topic=no%20spaces']) {
      expect([query, (await raw(u, 'GET', query)).status]).toEqual([query, 400]);
    }
  });
});

describe('delete', () => {
  it('deletes one (204, then 404), many, and all of a view; pushes deleted and unread', async () => {
    const carol = herald.user('carol');
    const api = herald.as(carol).inbox;
    const rows = await herald.seed(carol, 5);
    const socket = await herald.connect(carol);
    expect((await raw(carol, 'DELETE', `/${rows[0].id}`)).status).toBe(204);
    expect(await socket.next('deleted')).toEqual({ ids: [rows[0].id] });
    expect(await socket.next('unread')).toEqual({ count: 4 });
    expect((await raw(carol, 'DELETE', `/${rows[0].id}`)).status).toBe(404);
    expect(await api.deleteMany([rows[1].id, rows[2].id])).toEqual({ updated: 2 });
    expect(await socket.next('unread')).toEqual({ count: 2 });
    await api.archive(rows[3].id);
    expect(await api.deleteAll('archived')).toEqual({ updated: 1 });
    expect(ids(await api.list({ view: 'all' }))).toEqual([rows[4].id]);
    expect(await api.deleteAll('all')).toEqual({ updated: 1 });
    expect(await api.unreadCount()).toBe(0);
  });
});

describe('views and filters', () => {
  it('filters by exact type, type prefix and topic, combined with unread and paging', async () => {
    const dave = herald.user('dave');
    const api = herald.as(dave).inbox;
    for (const type of ['billing.paid', 'billing.refund', 'task.due', 'billingx.other']) {
      await herald.publish(dave, { type, title: type });
    }
    await herald.publish(dave, { type: 'billing.paid', title: 'again' });
    await herald.stored(dave, 5);
    const types = async (query: InboxQuery) => (await api.list(query)).items.map((r) => r.type);
    expect(await types({ type: 'billing.paid' })).toEqual(['billing.paid', 'billing.paid']);
    expect(await types({ type: 'billing.*' })).toEqual([
      'billing.paid',
      'billing.refund',
      'billing.paid',
    ]);
    const page = await api.list({ type: 'billing.*', limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = await api.list({ type: 'billing.*', limit: 2, before: page.nextBefore! });
    expect(rest.items.map((r) => r.title)).toEqual(['billing.paid']);
    await api.readMany([page.items[0].id]);
    expect(await types({ type: 'billing.*', unread: 'true' })).toEqual([
      'billing.refund',
      'billing.paid',
    ]);
  });

  it('filters by topic', async () => {
    const erin = herald.user('erin');
    await herald.topic('releases', [erin]);
    await herald.publish({ topic: 'releases' }, { type: 'r', title: 'v2' });
    await herald.publish(erin, { type: 'r', title: 'direct' });
    await herald.stored(erin, 2);
    const page = await herald.as(erin).inbox.list({ topic: 'releases' });
    expect(page.items.map((r) => r.title)).toEqual(['v2']);
  });
});

describe('documents', () => {
  it('lists every lifecycle and preferences endpoint in OpenAPI and every new frame in AsyncAPI', async () => {
    const openapi = await herald.client().call<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', '/docs-json');
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
    const asyncapi = await herald.client().call<{
      components: { messages: Record<string, unknown> };
    }>('GET', '/docs/asyncapi.json');
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

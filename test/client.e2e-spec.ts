/**
 * The typed client (src/client) against the real app: every REST group answers typed results,
 * failures are HeraldErrors with Herald's fields, and the socket awaits frames, tracks the
 * last seq and resumes exactly after it. (Error parsing and seq tracking alone: the unit
 * specs beside the client.)
 */
import { HeraldClient, HeraldError, HeraldSocketError } from '../src/client';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({
  env: { WS_USER_STORAGE_FRAMES_BURST: '3', WS_USER_STORAGE_FRAMES_PER_SECOND: '1' },
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved, expected a HeraldError');
    },
    (error: unknown) => {
      if (!(error instanceof HeraldError)) throw error;
      return error;
    },
  );

describe('REST', () => {
  it('publishes (one and batch) and reads the inbox back, with read state', async () => {
    const alice = herald.user('alice');
    const body = { userIds: [alice], type: 'invoice.paid', title: 'Paid', idempotencyKey: alice };
    const accepted = await herald.service.publish(body);
    expect(accepted).toEqual({ jobId: expect.any(String), status: 'queued' });
    expect((await herald.service.publish(body)).jobId).toBe(accepted.jobId);
    const batch = await herald.service.publishBatch([
      { userIds: [alice], type: 'a.one', title: 'one' },
      { userIds: [alice], type: 'a.two', title: 'two' },
    ]);
    expect(batch).toHaveLength(2);
    const [newest] = await herald.stored(alice, 3);
    const api = herald.as(alice);
    expect(await api.inbox.unreadCount()).toBe(3);
    expect((await api.inbox.list({ type: 'a.*' })).items.map((n) => n.title).sort()).toEqual([
      'one',
      'two',
    ]);
    expect((await api.inbox.read(newest.id)).readAt).toEqual(expect.any(String));
    expect(await api.inbox.readAll()).toEqual({ updated: 2 });
    expect((await api.inbox.list({ unread: 'true' })).items).toEqual([]);
    expect((await api.inbox.types()).sort()).toEqual(['a.one', 'a.two', 'invoice.paid']);
  });

  it('archives, snoozes and deletes, each answering the notification or a count', async () => {
    const bob = herald.user('bob');
    const [b, a] = await herald.seed(bob, 2);
    const api = herald.as(bob);
    expect((await api.inbox.archive(a.id)).archivedAt).toEqual(expect.any(String));
    expect((await api.inbox.list({ view: 'archived' })).items.map((n) => n.id)).toEqual([a.id]);
    expect((await api.inbox.unarchive(a.id)).archivedAt).toBeNull();
    const until = new Date(Date.now() + 10 * 60_000);
    expect((await api.inbox.snooze(b.id, until)).snoozedUntil).toBe(until.toISOString());
    expect((await api.inbox.unsnooze(b.id)).snoozedUntil).toBeNull();
    await api.inbox.delete(a.id);
    expect(await api.inbox.deleteAll('all')).toEqual({ updated: 1 });
    expect((await failure(api.inbox.delete(a.id))).status).toBe(404);
  });

  it('reads and patches preferences, own and (as a service) a user’s', async () => {
    const carol = herald.user('carol');
    const mine = herald.as(carol).preferences;
    expect(await mine.get()).toEqual({ channels: { inApp: true, push: true }, types: {} });
    await herald.service.preferencesOf(carol).patch({ types: { 'promo.*': { inApp: false } } });
    expect((await mine.patch({ channels: { push: false } })).types).toEqual({
      'promo.*': { inApp: false },
    });
  });

  it('manages topics as a service and subscriptions as a user', async () => {
    const dave = herald.user('dave');
    expect(await herald.topic('releases', [dave])).toEqual({
      topic: 'releases',
      selfSubscribe: false,
      subscribers: 1,
    });
    expect(await herald.as(dave).topics.mine()).toEqual(['releases']);
    expect((await failure(herald.as(dave).topics.subscribe('closed'))).status).toBe(403);
    await herald.topic('open', [], { selfSubscribe: true });
    await herald.as(dave).topics.subscribe('open');
    await herald.service.topics.removeSubscriber('releases', dave);
    expect(await herald.as(dave).topics.mine()).toEqual(['open']);
    expect((await failure(herald.service.topics.get('nope'))).code).toBe('not_found');
  });

  it('creates, updates and deletes tasks; a stale version is a 409 carrying currentVersion', async () => {
    const erin = herald.user('erin');
    const task = await herald.task(erin, { title: 'Write it' });
    const api = herald.as(erin);
    const done = await api.tasks.update(task.id, { status: 'done', version: task.version });
    expect(done).toMatchObject({ status: 'done', version: task.version + 1 });
    const stale = await failure(
      api.tasks.update(task.id, { title: 'x' }, { ifMatch: task.version }),
    );
    expect(stale).toMatchObject({ status: 409, code: 'conflict', currentVersion: done.version });
    expect(stale.requestId).toEqual(expect.any(String));
    expect(stale.headers.get('etag')).toBe(`"${done.version}"`);
    expect((await api.tasks.list()).items.map((t) => t.id)).toEqual([task.id]);
    for (const stale of [{ version: task.version }, { ifMatch: task.version }]) {
      const refused = await failure(api.tasks.delete(task.id, stale));
      expect([stale, refused.status, refused.currentVersion]).toEqual([stale, 409, done.version]);
    }
    await api.tasks.delete(task.id, { version: done.version });
    expect((await failure(api.tasks.get(task.id))).status).toBe(404);
  });

  it('throws HeraldErrors naming the status, every message and the request id', async () => {
    const bad = await failure(
      herald.service.publish({ userIds: ['x'], type: '', title: 't', extra: 1 } as never),
    );
    expect(bad).toMatchObject({ status: 400, code: 'bad_request' });
    expect(bad.messages.join('\n')).toMatch(/type/);
    expect(bad.messages.join('\n')).toMatch(/extra/);
    expect(bad.requestId).toBe(bad.headers.get('x-request-id'));
    const forbidden = await failure(
      herald.as('frank').publish({ userIds: ['x'], type: 't', title: 't' }),
    );
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await failure(herald.client('not-a-jwt').inbox.list())).status).toBe(401);
    const gone = new HeraldClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    expect(await failure(gone.inbox.list())).toMatchObject({ status: 0, code: 'network' });
    const raw = await herald.service.request('GET', '/v1/nothing-here');
    expect(raw.status).toBe(404);
  });
});

describe('WebSocket', () => {
  it('awaits frames, tracks the last seq, and a reconnect replays exactly what was missed', async () => {
    const gina = herald.user('gina');
    const socket = await herald.connect(gina);
    expect(socket.ready).toEqual({ userId: gina, unreadCount: 0, lastSeq: 0 });
    await herald.publish(gina, { title: 'one' });
    expect((await socket.next('notification', { timeoutMs: 5000 })).title).toBe('one');
    expect(socket.lastSeq).toBe(1);
    await socket.close();

    await herald.publish(gina, { title: 'two' });
    await herald.publish(gina, { title: 'three' });
    await herald.stored(gina, 3);
    const again = await socket.reconnect();
    expect(again.all('notification').map((n) => [n.seq, n.title])).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(again.lastSeq).toBe(3);
    await herald.publish(gina, { title: 'four' });
    const live = await again.waitFor((f) => f.event === 'notification' && f.data.title === 'four', {
      timeoutMs: 5000,
    });
    expect(live).toMatchObject({ event: 'notification', data: { seq: 4 } });
    expect(again.all('notification').map((n) => n.seq)).toEqual([2, 3, 4]);
  });

  it('refuses a bad token with a HeraldError 401; a rate-limited resume rejects with its code', async () => {
    const refused = await failure(herald.client('not-a-jwt').connect());
    expect(refused.status).toBe(401);
    const hank = herald.user('hank');
    const socket = await herald.connect(hank);
    await socket.ping();
    let error: unknown;
    for (let i = 0; i < 10 && !error; i++)
      error = await socket.resume(0).then(
        () => undefined,
        (e) => e,
      );
    expect(error).toBeInstanceOf(HeraldSocketError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(await socket.close()).toEqual({ code: 1005, reason: '' });
    await expect(socket.next('notification', { timeoutMs: 50 })).rejects.toThrow(/socket closed/);
  });
});

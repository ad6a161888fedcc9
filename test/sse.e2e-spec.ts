/**
 * `GET /v1/stream`: the WebSocket's events over SSE, with the same guarantees: auth, origin
 * and per-user limits before any byte, `id:` = seq, resume by Last-Event-ID (or ?afterSeq=)
 * exactly once and in order across reconnects, instances and a publish burst, heartbeats,
 * token expiry, slow consumers cut off, and a clean close at shutdown.
 * Length: one subject, the stream, on one two-instance deployment: a test per guarantee above.
 */
import { NotificationsGateway } from '../src/realtime/notifications.gateway';
import { TestStream, type SseOptions } from './support/sse-client';
import { eventually, type TestApp } from './support/test-app';
import { notificationBody } from './support/factories';
import { serviceToken, tokenFor } from './support/tokens';
import { useTestApp, type On } from './support/use-test-app';

// Two instances of the same deployment.
const herald = useTestApp({
  env: { SSE_HEARTBEAT_MS: '300', WS_MAX_SOCKETS_PER_USER: '3' },
  instances: 2,
  closeSocketsAfterEach: true,
});
const open: TestStream[] = [];
const a = () => herald.instance(0);
const b = () => herald.instance(1);

async function stream(app: TestApp, user: string, options: SseOptions = {}): Promise<TestStream> {
  const s = await TestStream.open(app.url, tokenFor(user), options);
  open.push(s);
  return s;
}

/** Publishes as the service, through the first instance or `on`. */
const publish = (userId: string, title: string, on: On = 0) =>
  herald.client(serviceToken(), on).publish(notificationBody(userId, { type: 'test.sse', title }));

async function refused(app: TestApp, token: string | null, options: SseOptions = {}) {
  try {
    open.push(await TestStream.open(app.url, token, options));
  } catch (error) {
    return error as Error & {
      status: number;
      body: { message: unknown };
      headers: Record<string, string>;
    };
  }
  throw new Error('the stream was not refused');
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('the SSE stream', () => {
  it('needs a valid token and answers bad cursors with 400, before any event', async () => {
    expect((await refused(a(), null)).status).toBe(401);
    expect((await refused(a(), 'not-a-jwt')).status).toBe(401);
    expect((await refused(a(), tokenFor('ann'), { lastEventId: -1 })).status).toBe(400);
    const bad = await TestStream.open(a().url, tokenFor('ann'), { afterSeq: 1.5 }).catch(
      (e: Error & { status: number }) => e,
    );
    expect((bad as { status: number }).status).toBe(400);
  });

  it('sends ready, then each notification with id: seq and its unread count, and heartbeats', async () => {
    const s = await stream(a(), 'ann');
    expect(s.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await s.next('ready')).toEqual({ userId: 'ann', unreadCount: 0, lastSeq: 0 });
    await publish('ann', 'First');
    const first = await s.next('notification');
    expect(first).toMatchObject({ seq: 1, title: 'First', userId: 'ann', readAt: null });
    expect(await s.next('unread')).toEqual({ count: 1 });
    // Every event carries the stream's resume cursor: the last seq sent (0 before any).
    expect(s.events.map((e) => [e.event, e.id])).toEqual([
      ['ready', '0'],
      ['notification', '1'],
      ['unread', '1'],
    ]);
    await eventually(() => s.comments >= 2, 3000, 'two heartbeat comments');
  });

  it('pushes read changes made over REST to the stream', async () => {
    const s = await stream(a(), 'rob');
    await s.next('ready');
    await publish('rob', 'Read me');
    const n = await s.next('notification');
    await herald.as('rob').inbox.read(n.id);
    expect(await s.next('read')).toMatchObject({ ids: [n.id] });
  });

  it('resumes after Last-Event-ID (or ?afterSeq=) exactly once, in order, on another instance', async () => {
    const first = await stream(a(), 'cai');
    await first.next('ready');
    for (const title of ['one', 'two', 'three']) await publish('cai', title);
    await eventually(() => first.notifications().length === 3, 5000, 'three live');
    first.close();
    await publish('cai', 'four'); // while disconnected
    await publish('cai', 'five');
    await eventually(
      async () => (await herald.as('cai').inbox.unreadCount()) === 5,
      5000,
      'four and five stored',
    );

    const again = await stream(b(), 'cai', { lastEventId: 3 });
    expect(await again.next('ready')).toMatchObject({ lastSeq: expect.any(Number) });
    expect(await again.next('resumed')).toEqual({ count: 2, complete: true });
    await publish('cai', 'six');
    await eventually(() => again.notifications().length === 3, 5000, 'replay and live');
    // Publishes queued one after the other may be stored in either order: seq is the order.
    expect(again.notifications().map((n) => [n.seq, n.id])).toEqual([
      [4, '4'],
      [5, '5'],
      [6, '6'],
    ]);
    expect(
      again
        .notifications()
        .map((n) => n.title)
        .sort(),
    ).toEqual(['five', 'four', 'six']);

    const byQuery = await stream(b(), 'cai', { afterSeq: 5 });
    expect(await byQuery.next('resumed')).toEqual({ count: 1, complete: true });
    expect(byQuery.notifications().map((n) => n.seq)).toEqual([6]);
  });

  it('misses nothing and repeats nothing when it reconnects in the middle of a burst', async () => {
    let s = await stream(a(), 'dee');
    await s.next('ready');
    const total = 60;
    const seen: number[] = [];
    const burst = (async () => {
      for (let i = 1; i <= total; i++) await publish('dee', `burst ${i}`, i % 2 ? 0 : 1);
    })();
    for (let round = 0; round < 3; round++) {
      await eventually(
        () => s.notifications().length >= 5 || seen.length + s.notifications().length >= total,
        10_000,
        'some of the burst',
      );
      seen.push(...s.notifications().map((n) => n.seq));
      s.close();
      s = await stream(round % 2 ? a() : b(), 'dee', { lastEventId: seen.at(-1) });
    }
    await burst;
    await eventually(
      () => seen.length + s.notifications().length === total,
      10_000,
      'the whole burst',
    );
    seen.push(...s.notifications().map((n) => n.seq));
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('counts streams and sockets, on every instance, against the per-user limit', async () => {
    await stream(a(), 'eve');
    await herald.connect('eve');
    await (await stream(b(), 'eve')).next('ready'); // counted across instances
    const over = await refused(a(), tokenFor('eve'));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('5');
    expect(over.body.message).toBe('too many connections for this user');
  });

  it('ends the stream with close 4401 when the token expires', async () => {
    const s = await TestStream.open(a().url, tokenFor('gil', { expiresIn: 2 }));
    open.push(s);
    await s.next('ready');
    expect(await s.next('close', 5000)).toEqual({ code: 4401, reason: 'token expired' });
    await s.ended;
  });

  it('closes every stream with 1001 at shutdown, and the client resumes elsewhere', async () => {
    const s = await stream(a(), 'hal');
    await s.next('ready');
    herald.get(NotificationsGateway).closeAll();
    expect(await s.next('close')).toEqual({ code: 1001, reason: 'server shutting down' });
    await s.ended;
  });
});

describe('with ALLOWED_ORIGINS', () => {
  const strict = useTestApp({
    name: 'sse-origin',
    env: { ALLOWED_ORIGINS: 'https://app.example.com' },
  });

  it('refuses an origin outside ALLOWED_ORIGINS with 403', async () => {
    const origin = 'https://evil.example.com';
    expect((await refused(strict.app, tokenFor('fay'), { origin })).status).toBe(403);
    const ok = await stream(strict.app, 'fay', { origin: 'https://app.example.com' });
    await ok.next('ready');
  });
});

describe('a slow consumer', () => {
  const slow = useTestApp({ name: 'sse-slow', env: { WS_MAX_BUFFERED_BYTES: String(16 * 1024) } });

  it('cuts off a stream that does not read, keeping memory bounded', async () => {
    // A stream that reads keeps going, however many events it has had (no estimate drift).
    const reader = await stream(slow.app, 'jon');
    await reader.next('ready');
    for (let k = 0; k < 8; k++) {
      await slow.service.publishBatch(
        Array.from({ length: 100 }, (_, i) => ({
          userIds: ['jon'],
          type: 'test.sse',
          title: `small ${k * 100 + i}`,
        })),
      );
    }
    await eventually(() => reader.notifications().length === 800, 15_000, '800 events read').catch(
      (e: Error) => {
        throw new Error(
          `${e.message}; got ${reader.notifications().length}, events ${JSON.stringify(reader.events.slice(-2))}`,
        );
      },
    );
    expect(reader.events.some((e) => e.event === 'close')).toBe(false);
    reader.close();

    const s = await stream(slow.app, 'ivy');
    await s.next('ready');
    s.pause();
    // Kernel buffers on loopback hold megabytes: publish (and wait for each round to be
    // stored) until the server has more queued for this stream than it may.
    const data = { blob: 'x'.repeat(7000) };
    const body = 'y'.repeat(2000);
    let published = 0;
    // A paused client does not notice its connection going; the server's count tells.
    const slowCloses = async () =>
      Number(
        /herald_ws_slow_consumer_closes_total (\d+)/.exec(
          (await slow.client().request('GET', '/metrics')).text,
        )?.[1],
      );
    const ivy = slow.as('ivy').inbox;
    while ((await slowCloses()) === 0) {
      if (published >= 4000) throw new Error('the slow stream was never cut off');
      await slow.service.publishBatch(
        Array.from({ length: 100 }, (_, i) => ({
          userIds: ['ivy'],
          type: 'test.sse',
          title: `big ${published + i}`,
          body,
          data,
        })),
      );
      published += 100;
      await eventually(
        async () => (await ivy.unreadCount()) === published,
        10_000,
        `${published} stored`,
      );
    }
    expect(published).toBeGreaterThan(100); // it was cut for its backlog, not for a burst
  });
});

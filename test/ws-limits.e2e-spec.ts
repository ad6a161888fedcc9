/** Every limit a client controls on the socket, and the answer it gets past it. */
import { ConnectionRegistry } from '../src/realtime/connection-registry';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const MAX_BUFFERED = 256 * 1024;
const herald = useTestApp({
  env: {
    WS_MAX_PAYLOAD: String(64 * 1024),
    WS_MAX_FRAMES_PER_SECOND: '50',
    WS_MAX_SOCKETS_PER_USER: '3',
    WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    WS_HEARTBEAT_INTERVAL_MS: '300',
  },
  closeSocketsAfterEach: true,
});
/** A frame the protocol does not have (or with data it refuses), as a client could send it. */
const frame = (event: string, data: unknown = {}) => JSON.stringify({ event, data });

const within = <T>(promise: Promise<T>, ms = 3000) =>
  Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms)),
  ]);

describe('frames', () => {
  it('answers malformed and unknown frames with error events and stays open', async () => {
    const socket = await herald.connect('ann');
    socket.sendRaw('not json');
    expect(await socket.next('error')).toMatchObject({ code: 'bad_frame' });
    socket.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef]), true);
    expect(await socket.next('error')).toMatchObject({ code: 'bad_frame' });
    socket.sendRaw(JSON.stringify({ data: {} }));
    expect(await socket.next('error')).toMatchObject({ code: 'bad_frame' });
    socket.sendRaw(JSON.stringify([1, 2, 3]));
    expect(await socket.next('error')).toMatchObject({ code: 'bad_frame' });
    socket.sendRaw(frame('subscribe', { room: 'x' }));
    expect(await socket.next('error')).toMatchObject({ code: 'unknown_event' });
    socket.sendRaw(frame('resume', { afterSeq: 'yesterday' }));
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_data' });
    socket.send('read', { ids: ['not-a-uuid'] });
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_data' });
    socket.send('ping', {});
    expect(await socket.next('pong')).toEqual({});
  });

  it('closes with 1009 on a frame over WS_MAX_PAYLOAD', async () => {
    const socket = await herald.connect('ann');
    socket.sendRaw(JSON.stringify({ event: 'ping', data: { pad: 'x'.repeat(100 * 1024) } }));
    expect((await within(socket.closed)) as { code: number }).toMatchObject({ code: 1009 });
  });

  it('closes with 1008 on a frame flood', async () => {
    const socket = await herald.connect('ann');
    for (let i = 0; i < 200; i++) socket.send('ping', {});
    expect((await within(socket.closed)) as { code: number }).toMatchObject({
      code: 1008,
      reason: 'too many frames',
    });
  });
});

describe('connections', () => {
  it('closes the connection over the per-user cap with 1008, others stay open', async () => {
    const open = await Promise.all([1, 2, 3].map(() => herald.connect('ben')));
    const extra = await herald.connect('ben', { waitReady: false });
    expect((await within(extra.closed)) as { code: number }).toMatchObject({ code: 1008 });
    open[0].send('ping', {});
    expect(await open[0].next('pong')).toEqual({});
    await herald.connect('not-ben');
  });

  it('finds a dead peer by ping/pong and closes it', async () => {
    const registry = herald.get(ConnectionRegistry);
    const socket = await herald.connect('cleo');
    expect(registry.countFor('cleo')).toBe(1);
    // A peer that stops reading never answers pings.
    (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await eventually(() => registry.countFor('cleo') === 0, 3000, 'the dead peer to be dropped');
  });
});

describe('slow consumer', () => {
  it('cuts off a client that never reads with 1013, with its send buffer bounded', async () => {
    // Seed large rows straight into the table so a replay produces far more than the socket
    // and kernel buffers hold (the API's own 8 KiB data limit is beside the point here).
    const db = await herald.db();
    const rows = 100;
    const bigText = 'x'.repeat(200 * 1024);
    await db.query(
      `INSERT INTO notifications (user_id, seq, type, title, body, data, job_id)
       SELECT 'dora', g, 't', 'big', '', jsonb_build_object('blob', $1::text), 'seed'
       FROM generate_series(1, $2::int) AS g`,
      [bigText, rows],
    );
    await db.query(`INSERT INTO notification_counters (user_id, last_seq) VALUES ('dora', $1)`, [
      rows,
    ]);
    // Its own instance with a normal heartbeat: the suite's 300 ms one would (rightly) terminate
    // the paused client as a dead peer before the 1013 close frame is flushed.
    const slow = await herald.startInstance({ WS_HEARTBEAT_INTERVAL_MS: '30000' });
    const registry = herald.get(ConnectionRegistry, slow);
    const socket = await herald.connect('dora', { on: slow });
    const server = [...(registry.socketsOf('dora') ?? [])][0];
    let maxBuffered = 0;
    const watch = setInterval(
      () => (maxBuffered = Math.max(maxBuffered, server.socket.bufferedAmount)),
      1,
    );

    const tcp = (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.send('resume', { afterSeq: 0 });
    tcp.pause();
    await eventually(
      () => registry.countFor('dora') === 0 || !server.isOpen,
      10000,
      'the slow consumer to be cut off',
    );
    clearInterval(watch);
    tcp.resume();
    const closed = await within(socket.closed, 10000);
    expect(closed).toMatchObject({ code: 1013, reason: 'slow consumer' });
    expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + 64 * 1024); // cap + a close frame's worth
    expect(socket.all('notification').length).toBeLessThan(rows);
  });
});

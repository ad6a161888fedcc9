/**
 * One client trying to take more than its share: a connection flood, a reader that stops
 * reading while notifications keep coming, a flood of junk frames. (test/ws-limits.e2e-spec.ts
 * covers the single extra socket, the replay-time slow consumer, the frame flood of pings and
 * 1009; test/resilience/input-limits.e2e-spec.ts the oversized publishes.)
 */
import type { PublishRequest } from '../../src/client';
import { ConnectionRegistry } from '../../src/realtime/connection-registry';
import { eventually } from '../support/test-app';
import { useTestApp } from '../support/use-test-app';
import { range1, sleep } from './support/probes';

const MAX_SOCKETS = 5;
const MAX_BUFFERED = 64 * 1024;
const herald = useTestApp({
  env: {
    WS_MAX_SOCKETS_PER_USER: String(MAX_SOCKETS),
    WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    WS_MAX_FRAMES_PER_SECOND: '50',
    RATE_LIMIT_ENABLED: 'false',
  },
  closeSocketsAfterEach: true,
});

const publish = (userIds: string[], extra: Partial<PublishRequest> = {}) =>
  herald.publish(userIds, { type: 't', title: 'x', ...extra });

it('caps a flood of 40 simultaneous connections from one user at the per-user limit', async () => {
  const registry = herald.get(ConnectionRegistry);
  const flood = await Promise.all(
    range1(40).map(() => herald.connect('flo', { waitReady: false })),
  );
  await eventually(
    () => flood.filter((s) => s.ws.readyState === s.ws.CLOSED).length === 40 - MAX_SOCKETS,
    10000,
    'the sockets over the cap to be closed',
  );
  const closes = await Promise.all(
    flood.filter((s) => s.ws.readyState === s.ws.CLOSED).map((s) => s.closed),
  );
  expect(closes.every((c) => c.code === 1008)).toBe(true);
  expect(registry.countFor('flo')).toBe(MAX_SOCKETS);
  const open = flood.filter((s) => s.ws.readyState === s.ws.OPEN);
  expect(open).toHaveLength(MAX_SOCKETS);

  // The survivors work, another user is unaffected, and a freed slot can be used again.
  await publish(['flo']);
  await Promise.all(open.map((s) => s.next('notification', { timeoutMs: 10000 })));
  await herald.connect('not-flo'); // another user is unaffected
  void open[0].close();
  await eventually(() => registry.countFor('flo') === MAX_SOCKETS - 1, 5000, 'a slot to free');
  const again = await herald.connect('flo');
  expect(again.frames[0].event).toBe('ready');
});

// Its own time limit: it publishes in batches of 25, each received by the healthy socket before
// the next, until the kernel's socket buffers and the server's cap are full for the paused one
// (up to 2,000 ~10 KiB notifications); with other suites on two cores that runs past the
// default 30 s.
it('cuts off a reader that stops reading during live delivery; its buffer stays bounded', async () => {
  const registry = herald.get(ConnectionRegistry);
  const slow = await herald.connect('sloane');
  const server = [...(registry.socketsOf('sloane') ?? [])][0]; // the slow one's server side
  const healthy = await herald.connect('sloane');
  let maxBuffered = 0;
  const watch = setInterval(
    () => (maxBuffered = Math.max(maxBuffered, server.socket.bufferedAmount)),
    1,
  );
  slow.ws.pause(); // stops reading from the TCP socket (and ws does not resume it behind our back)
  let sent = 0;
  const content = { data: { blob: 'x'.repeat(8000) }, body: 'y'.repeat(2000) }; // ~10 KiB frames
  /** Every notification sent so far reached the healthy socket (which must stay open). */
  const healthyHasAll = () =>
    eventually(
      () => {
        if (healthy.ws.readyState !== healthy.ws.OPEN) throw new Error('the healthy socket closed');
        return healthy.all('notification').length === sent;
      },
      30000,
      `all ${sent} on the healthy socket`,
    );
  const publishBatch = async () => {
    const batch = await Promise.all(range1(25).map(() => publish(['sloane'], content)));
    sent += batch.length;
    // The healthy reader lives in this same busy process: it catches up before more is sent,
    // so only the paused reader falls far enough behind to be cut off.
    await healthyHasAll();
  };
  try {
    // The kernel's socket buffers take a few MiB before anything stays in the server's own
    // send buffer, so keep going until the server gives up on the reader.
    while (server.isOpen && sent < 2000) await publishBatch();
    expect(server.isOpen).toBe(false);
    // Cut off, it costs nothing more: what keeps coming is not buffered for it.
    const bufferedAtCut = server.socket.bufferedAmount;
    for (let i = 0; i < 4; i++) await publishBatch();
    expect(server.socket.bufferedAmount).toBeLessThanOrEqual(bufferedAtCut);
    // Its peer has not read the close yet, but its place is free at once: the user can open
    // every socket the cap allows again (it used to be held until ws's 30 s close timeout).
    expect(registry.countFor('sloane')).toBe(1);
    const others = await Promise.all(range1(MAX_SOCKETS - 1).map(() => herald.connect('sloane')));
    expect(others.every((socket) => socket.frames[0]?.event === 'ready')).toBe(true);
  } finally {
    clearInterval(watch);
    slow.ws.resume();
  }
  expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + 16 * 1024); // the cap + one frame
  // Once it reads again, the reader learns why (1013), and the registry lets go of it.
  expect(await slow.closed).toMatchObject({ code: 1013, reason: 'slow consumer' });
  expect(registry.countFor('sloane')).toBe(MAX_SOCKETS);
  expect(slow.all('notification').length).toBeLessThan(sent);
  // The user's other socket got every notification, in order.
  expect(healthy.all('notification').map((n) => n.seq)).toEqual(range1(sent));
}, 90_000);

it('closes a socket flooding junk frames with 1008, whatever the frames are', async () => {
  const flooder = await herald.connect('fran');
  const neighbour = await herald.connect('fran');
  for (let i = 0; i < 200; i++) {
    if (i % 2) flooder.sendRaw(Buffer.from([i, 0xff]), true);
    else flooder.sendRaw('not json');
  }
  const closed = await Promise.race([flooder.closed, sleep(5000).then(() => 'still open')]);
  expect(closed).toMatchObject({ code: 1008, reason: 'too many frames' });
  // Error answers stopped at the budget; the neighbour is untouched.
  expect(flooder.all('error').length).toBeLessThanOrEqual(50);
  neighbour.send('ping', {});
  expect(await neighbour.next('pong')).toEqual({});
});

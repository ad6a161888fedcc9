import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import { MAX_FRAMES_BEFORE_READY } from './client-connection';
import { ConnectionFactory } from './connection-factory';
import { ConnectionRegistry } from './connection-registry';
import type { PresenceService } from './presence.service';
import { encodeFrame } from './protocol';
import type { ResumeService } from './resume.service';

const MAX_BUFFERED = 1000;
const ws = {
  maxFramesPerSecond: 2,
  maxBufferedBytes: MAX_BUFFERED,
  gapTimeoutMs: 1,
  resumeGraceMs: 1,
};
const principal: Principal = { userId: 'bo', scopes: new Set(), expiresAt: Date.now() / 1000 + 60 };

function setUp() {
  const metrics = {
    countConnectionsWith: jest.fn(),
    slowConsumerClosed: jest.fn(),
    frameSent: jest.fn(),
  };
  const presence = { release: jest.fn() };
  const registry = new ConnectionRegistry(metrics as unknown as MetricsService);
  const factory = new ConnectionFactory(
    { ws } as AppConfig,
    registry,
    metrics as unknown as MetricsService,
    presence as unknown as PresenceService,
    {} as ResumeService,
  );
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: jest.fn(),
    close: jest.fn(),
    ping: jest.fn(),
    terminate: jest.fn(),
  };
  socket.close.mockImplementation(() => (socket.readyState = 3));
  return { metrics, presence, registry, factory, socket };
}

describe('ConnectionFactory', () => {
  it('registers a connection, and takes it out of its group once the server closes it', () => {
    const { presence, registry, factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    expect(registry.countFor('bo')).toBe(1);
    expect(registry.forSocket(socket)).toBe(connection);
    connection.close(1001, 'bye');
    connection.close(1001, 'again'); // once
    expect(socket.close).toHaveBeenCalledTimes(1);
    expect(registry.countFor('bo')).toBe(0);
    expect(presence.release).toHaveBeenCalledTimes(1);
    expect(registry.forSocket(socket)).toBe(connection); // known until its socket is gone
  });

  it('sends ready first: what is sent before it waits for it, in order', () => {
    const { factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    expect(connection.send('pong')).toBe(true);
    connection.sendError({ code: 'bad_frame', message: 'no' });
    expect(socket.send).not.toHaveBeenCalled();
    connection.sendReady(3, 7);
    connection.send('later');
    expect(socket.send.mock.calls.map(([frame]) => frame as string)).toEqual([
      encodeFrame('ready', { userId: 'bo', unreadCount: 3, lastSeq: 7 }),
      'pong',
      encodeFrame('error', { code: 'bad_frame', message: 'no' }),
      'later',
    ]);
  });

  it('closes with 1013 rather than drop a frame past the cap of frames waiting for ready', () => {
    const { factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    for (let i = 0; i < MAX_FRAMES_BEFORE_READY; i++) expect(connection.send(`f${i}`)).toBe(true);
    expect(socket.close).not.toHaveBeenCalled();
    expect(connection.send('one too many')).toBe(false);
    expect(socket.close).toHaveBeenCalledWith(1013, 'too many frames before ready');
    connection.sendReady(0, 0);
    expect(socket.send).not.toHaveBeenCalled();
  });

  it('counts frames sent, and closes a slow consumer with 1013 instead of buffering more', () => {
    const { metrics, factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    connection.sendReady(0, 0);
    expect(connection.send('x')).toBe(true);
    socket.bufferedAmount = MAX_BUFFERED;
    expect(connection.send('y')).toBe(false);
    expect(socket.send.mock.calls.slice(1)).toEqual([['x']]);
    expect(metrics.frameSent).toHaveBeenCalledTimes(2);
    expect(metrics.slowConsumerClosed).toHaveBeenCalledTimes(1);
    expect(socket.close).toHaveBeenCalledWith(1013, 'slow consumer');
  });

  it('corks the transport around a live notification and the frame that follows it', () => {
    const { factory, socket } = setUp();
    const writes: string[] = [];
    const transport = { cork: () => writes.push('cork'), uncork: () => writes.push('uncork') };
    const connection = factory.create(socket, principal, transport);
    connection.sendReady(0, 0);
    socket.send.mockImplementation((frame: string) => writes.push(frame));
    connection.sequencer.release(0);
    connection.offerNotification(1, 'n1', 'unread');
    expect(writes).toEqual(['cork', 'n1', 'unread', 'uncork']);
  });

  it('pings a live peer on each heartbeat and terminates one that did not answer', () => {
    const { factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    connection.heartbeat();
    connection.markAlive(); // its pong
    connection.heartbeat();
    expect(socket.ping).toHaveBeenCalledTimes(2);
    expect(socket.terminate).not.toHaveBeenCalled();
    connection.heartbeat(); // no pong since the last ping
    expect(socket.terminate).toHaveBeenCalledTimes(1);
  });

  it('allows WS_MAX_FRAMES_PER_SECOND inbound frames per second', () => {
    const { factory, socket } = setUp();
    const connection = factory.create(socket, principal);
    expect([0, 10, 20].map((at) => connection.allowFrame(at))).toEqual([true, true, false]);
    expect(connection.allowFrame(1000)).toBe(true);
  });
});

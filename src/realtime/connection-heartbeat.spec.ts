import type { AppConfig } from '../config/app-config';
import type { ClientConnection } from './client-connection';
import { ConnectionHeartbeat } from './connection-heartbeat';
import type { ConnectionRegistry } from './connection-registry';

const INTERVAL_MS = 1000;

function setUp(count: number) {
  const beats: number[] = [];
  const connections = Array.from(
    { length: count },
    (_, i) => ({ heartbeat: () => beats.push(i) }) as unknown as ClientConnection,
  );
  const registry = { all: () => connections.values() } as unknown as ConnectionRegistry;
  const heartbeat = new ConnectionHeartbeat(
    { ws: { heartbeatIntervalMs: INTERVAL_MS } } as AppConfig,
    registry,
  );
  return { heartbeat, beats };
}

describe('ConnectionHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('beats every connection once per interval, and stops on shutdown', async () => {
    const { heartbeat, beats } = setUp(3);
    heartbeat.onModuleInit();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(beats).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(beats).toEqual([0, 1, 2]);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(beats).toEqual([0, 1, 2, 0, 1, 2]);
    heartbeat.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS * 3);
    expect(beats).toHaveLength(6);
  });

  it('yields to the event loop between slices of many connections', async () => {
    const { heartbeat, beats } = setUp(1200);
    const sweep = heartbeat.sweep();
    expect(beats).toHaveLength(500); // the first slice, synchronously
    await heartbeat.sweep(); // one sweep at a time: this one does nothing
    await jest.runAllTimersAsync(); // the setImmediate yields between slices
    await sweep;
    expect(beats).toHaveLength(1200);
    expect(new Set(beats).size).toBe(1200);
  });
});

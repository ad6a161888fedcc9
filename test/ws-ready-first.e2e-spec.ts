/**
 * `ready` is the first frame of every socket (API.md), whatever the client sends before it.
 *
 * `ready` waits on reads of the user's counter row. To hold it back for as long as a test needs,
 * the test takes an ACCESS EXCLUSIVE lock on `notification_counters` in a transaction of its own:
 * even a plain SELECT waits for that. The frames a client sends meanwhile are handled at once
 * (counted in `herald_ws_frames_received_total`); what they produce must wait for `ready`.
 */
import type { Client } from 'pg';
import { CloseCode, type HeraldSocket } from '../src/client';
import { MAX_FRAMES_BEFORE_READY } from '../src/realtime/client-connection';
import { sleep } from './resilience/support/probes';
import { eventually, sql } from './support/test-app';
import { useTestApp } from './support/use-test-app';

// The frame budget well above the cap, so that the cap is what a burst before `ready` meets.
const herald = useTestApp({
  env: { WS_MAX_FRAMES_PER_SECOND: '1000' },
  closeSocketsAfterEach: true,
});

/** A transaction holding the counter table: `ready` cannot be read until it ends. */
async function lockCounters(): Promise<Client> {
  const lock = await sql(herald.isolation);
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE notification_counters IN ACCESS EXCLUSIVE MODE');
  return lock;
}

/** Resolves once a read of the counter table waits for the lock: `ready` is being held back. */
async function readyWaitsOnTheLock(): Promise<void> {
  const db = await herald.db();
  await eventually(
    async () => {
      const { rowCount } = await db.query(
        `SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query LIKE '%notification_counters%'`,
      );
      return (rowCount ?? 0) > 0;
    },
    5000,
    "ready's read of the counter row to wait for the lock",
  );
}

async function framesReceived(): Promise<number> {
  const text = await (await fetch(`${herald.url}/metrics`)).text();
  const match = /^herald_ws_frames_received_total (\d+)$/m.exec(text);
  if (!match) throw new Error('no herald_ws_frames_received_total in /metrics');
  return Number(match[1]);
}

/** Opens a socket of `userId` whose `ready` is held back, and sends it `frames` meanwhile. */
async function sendBeforeReady(
  userId: string,
  frames: (socket: HeraldSocket) => number,
): Promise<HeraldSocket> {
  const socket = await herald.connect(userId, { waitReady: false });
  await readyWaitsOnTheLock();
  const before = await framesReceived();
  const count = frames(socket);
  await eventually(
    async () => (await framesReceived()) >= before + count,
    5000,
    `the server to take the ${count} frames`,
  );
  return socket;
}

describe('the first frame of a socket', () => {
  it('is ready: the pong and the error of frames sent before it come after it', async () => {
    const lock = await lockCounters();
    let socket: HeraldSocket;
    try {
      socket = await sendBeforeReady('ann', (s) => {
        s.send('ping', {});
        s.sendRaw('not json');
        return 2;
      });
    } finally {
      await lock.end(); // rolls back: the lock goes and `ready` can be read
    }
    await socket.next('ready', 10_000);
    await socket.next('pong');
    await socket.next('error');
    const [first, ...after] = socket.frames;
    expect(first).toEqual({ event: 'ready', data: { userId: 'ann', unreadCount: 0, lastSeq: 0 } });
    // Each in the order it was produced (the ping's handler runs a step later than the check
    // that refuses a frame that is not JSON).
    expect(after).toHaveLength(2);
    expect(after).toEqual(
      expect.arrayContaining([
        { event: 'pong', data: {} },
        { event: 'error', data: { code: 'bad_frame', message: 'frame is not valid JSON' } },
      ]),
    );
  });

  it('closes with 1013 rather than drop a frame when more wait for ready than it holds', async () => {
    const lock = await lockCounters();
    try {
      const socket = await sendBeforeReady('bea', (s) => {
        for (let i = 0; i <= MAX_FRAMES_BEFORE_READY; i++) s.send('ping', {});
        return MAX_FRAMES_BEFORE_READY + 1;
      });
      const closed = await Promise.race([socket.closed, sleep(5000).then(() => 'still open')]);
      expect(closed).toEqual({
        code: CloseCode.TryAgainLater,
        reason: 'too many frames before ready',
      });
      expect(socket.frames).toEqual([]); // a close, not a partial answer
    } finally {
      await lock.end();
    }
  });
});

/**
 * Per-user limits that hold across instances: the socket cap, the budget for storage-backed
 * frames, and presence (who has a connection on any instance). Two apps share one isolation,
 * like two instances of one deployment. (A killed instance: resilience/presence-kill.)
 */
import { HeraldSocketError, type HeraldSocket } from '../src/client';
import { PresenceService } from '../src/realtime/presence.service';
import type { ServerEvents } from '../src/realtime/protocol';
import { eventually } from './support/test-app';
import { useTestApp, type On } from './support/use-test-app';

const CAP = 10;
const BURST = 6;
// Two instances on one isolation, like two instances of one deployment.
const herald = useTestApp({
  env: {
    WS_MAX_SOCKETS_PER_USER: String(CAP),
    WS_USER_STORAGE_FRAMES_PER_SECOND: '1',
    WS_USER_STORAGE_FRAMES_BURST: String(BURST),
    RATE_LIMIT_ENABLED: 'false',
  },
  instances: 2,
  closeSocketsAfterEach: true,
});
const [a, b] = [0, 1];

async function connect(on: On, user: string, count = 1): Promise<HeraldSocket[]> {
  const opened: HeraldSocket[] = [];
  for (let i = 0; i < count; i++) opened.push(await herald.connect(user, { on }));
  return opened;
}

/** How a socket that should be refused was closed ('still open' if it was not, within 5 s). */
async function refused(on: On, user: string) {
  const socket = await herald.connect(user, { on, waitReady: false });
  const timeout = new Promise<'still open'>((resolve) =>
    setTimeout(() => resolve('still open'), 5000).unref(),
  );
  return Promise.race([socket.closed, timeout]);
}

type Answer = { event: 'resumed' } | { event: 'error'; data: ServerEvents['error'] };

/** Sends `resume` and waits for its answer: `resumed` or an `error`. */
async function resume(socket: HeraldSocket): Promise<Answer> {
  const answer = await socket.resume(0, { timeoutMs: 5000 }).then(
    () => ({ event: 'resumed' }) as const,
    (error: unknown) => {
      if (error instanceof HeraldSocketError) return { event: 'error', data: error.data } as const;
      throw error;
    },
  );
  return answer;
}

describe('the socket cap', () => {
  it('holds across instances: the 11th socket, on either instance, is closed with 1008', async () => {
    await connect(a, 'una', 5);
    const onB = await connect(b, 'una', 5);
    expect(await refused(b, 'una')).toEqual({
      code: 1008,
      reason: 'too many connections for this user',
    });
    expect(await refused(a, 'una')).toMatchObject({ code: 1008 });
    await connect(b, 'not-una'); // other users are unaffected

    // A socket closed on B frees its place for a socket on A.
    void onB[0].close();
    await eventually(
      () => herald.get(PresenceService, b).localCount('una') === 4,
      5000,
      'B to count the closed socket out',
    );
    const [again] = await connect(a, 'una');
    expect(again.frames[0].event).toBe('ready');
  });

  it('counts any connection registered with presence, whatever its transport', async () => {
    const presence = herald.get(PresenceService, b);
    const streams = Array.from({ length: CAP }, (_, i) => ({
      userId: 'vera',
      connectionId: `stream-${i}`,
    }));
    const admitted = await Promise.all(streams.map((stream) => presence.admit(stream)));
    expect(admitted.every(Boolean)).toBe(true);
    expect(await presence.admit({ userId: 'vera', connectionId: 'stream-extra' })).toBe(false);
    expect(await refused(a, 'vera')).toMatchObject({ code: 1008 });
    for (const stream of streams) presence.release(stream);
    await eventually(
      async () => (await herald.get(PresenceService, a).onlineUserIds(['vera'])).size === 0,
      5000,
      'the streams to be counted out',
    );
    await connect(a, 'vera');
  });
});

describe('the budget for resume / read / read.all', () => {
  it('is shared by sockets on both instances: over it, rate_limited errors, sockets stay open', async () => {
    const [onA] = await connect(a, 'wade');
    const [onB] = await connect(b, 'wade');
    const started = Date.now();
    const answers: { socket: 'a' | 'b'; answer: Answer }[] = [];
    for (let i = 0; i < 2 * BURST; i++) {
      const socket = i % 2 === 0 ? onA : onB;
      answers.push({ socket: i % 2 === 0 ? 'a' : 'b', answer: await resume(socket) });
    }
    const elapsedS = (Date.now() - started) / 1000;
    const served = answers.filter(({ answer }) => answer.event === 'resumed');
    const limited = answers.filter(({ answer }) => answer.event === 'error');
    // One bucket: the burst plus what refilled at 1/s meanwhile, whichever socket asked.
    expect(served.length).toBeGreaterThanOrEqual(BURST);
    expect(served.length).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS));
    expect(new Set(limited.map(({ socket }) => socket))).toEqual(new Set(['a', 'b']));
    for (const { answer } of limited) {
      expect(answer).toMatchObject({
        event: 'error',
        data: { code: 'rate_limited', retryAfterMs: expect.any(Number) },
      });
      const { retryAfterMs } = (answer as { data: ServerEvents['error'] }).data;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(1000);
    }

    // Both sockets are still open and answer; after the hint, a resume is served again.
    for (const socket of [onA, onB]) await socket.ping();
    const last = limited.at(-1)!.answer as { data: ServerEvents['error'] };
    await new Promise((resolve) => setTimeout(resolve, last.data.retryAfterMs));
    expect((await resume(onB)).event).toBe('resumed');
    expect(onA.ws.readyState).toBe(onA.ws.OPEN);
  });

  it('is per user: another user is served while one is limited', async () => {
    const [limitedUser] = await connect(a, 'xena');
    for (let i = 0; i < BURST; i++) expect((await resume(limitedUser)).event).toBe('resumed');
    expect((await resume(limitedUser)).event).toBe('error');
    const [other] = await connect(b, 'yann');
    expect((await resume(other)).event).toBe('resumed');
  });
});

describe('presence', () => {
  it('answers which of 10,000 users have a connection on any instance', async () => {
    const presence = herald.get(PresenceService, a);
    const users = Array.from({ length: 10_000 }, (_, i) => `p-${i}`);
    await connect(a, users[0]);
    await connect(b, users[4321]);
    const [last] = await connect(b, users[9999]);
    expect(await presence.onlineUserIds(users)).toEqual(
      new Set([users[0], users[4321], users[9999]]),
    );
    expect(await herald.get(PresenceService, b).onlineUserIds(users)).toEqual(
      new Set([users[0], users[4321], users[9999]]),
    );
    expect(await presence.onlineUserIds([])).toEqual(new Set());

    void last.close();
    await eventually(
      async () => !(await presence.onlineUserIds(users)).has(users[9999]),
      5000,
      'the closed socket to be counted out',
    );
    expect(await presence.onlineUserIds(users)).toEqual(new Set([users[0], users[4321]]));
  });
});

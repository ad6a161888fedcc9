/**
 * The cross-instance connection count through faults: an instance killed with SIGKILL (no
 * cleanup runs) stops holding its users' places within PRESENCE_TTL_MS; a Redis that lost its
 * data gets every open connection back from the next heartbeat; while Redis is unreachable,
 * sockets are admitted by the instance's own count and storage-backed frames are limited by
 * the instance's own bucket (fail safe: neither refused wholesale nor unlimited).
 */
import { PresenceService } from '../../src/realtime/presence.service';
import { OwnRedis } from '../support/redis-server';
import { HeraldSocket } from '../../src/client';
import { eventually } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';
import { HeraldProcess } from './support/herald-process';

const TTL_MS = 3000;
const sockets: HeraldSocket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) void socket.close();
});

/** Sockets on any instance, the test apps' or a spawned process's (by its URL). */
async function connect(wsUrl: string, user: string, count = 1): Promise<HeraldSocket[]> {
  const opened: HeraldSocket[] = [];
  for (let i = 0; i < count; i++) opened.push(await HeraldSocket.connect(wsUrl, tokenFor(user)));
  sockets.push(...opened);
  return opened;
}

/** How a socket that should be refused was closed ('still open' if it was not, within 5 s). */
async function refused(wsUrl: string, user: string) {
  const socket = await HeraldSocket.connect(wsUrl, tokenFor(user), { waitReady: false });
  sockets.push(socket);
  const timeout = new Promise<'still open'>((resolve) =>
    setTimeout(() => resolve('still open'), 5000).unref(),
  );
  return Promise.race([socket.closed, timeout]);
}

describe('an instance killed with SIGKILL', () => {
  const env = { PRESENCE_TTL_MS: String(TTL_MS), RATE_LIMIT_ENABLED: 'false' };
  let killed: HeraldProcess | undefined;
  afterAll(() => killed?.kill()); // before the survivor closes (declaration order)
  const herald = useTestApp({ name: 'presencekill', env });
  beforeAll(async () => {
    killed = await HeraldProcess.start(herald.isolation, env);
  }, 240000);

  it("releases the killed instance's connections within PRESENCE_TTL_MS", async () => {
    const presence = herald.get(PresenceService);
    const onKilled = await connect(killed!.wsUrl, 'kai', 10); // the default cap
    expect(await presence.onlineUserIds(['kai', 'nobody'])).toEqual(new Set(['kai']));
    expect(await refused(herald.app.wsUrl, 'kai')).toMatchObject({ code: 1008 });

    await killed!.kill();
    const killedAt = Date.now();
    expect(await killed!.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(onKilled.map((socket) => socket.closed));

    await eventually(
      async () => (await presence.onlineUserIds(['kai'])).size === 0,
      TTL_MS + 5000,
      "the killed instance's connections to expire",
    );
    // Its last heartbeat was at most a third of the TTL before the kill.
    expect(Date.now() - killedAt).toBeLessThanOrEqual(TTL_MS + 1000);
    const again = await connect(herald.app.wsUrl, 'kai', 10);
    expect(again.every((socket) => socket.frames[0].event === 'ready')).toBe(true);
    expect(await refused(herald.app.wsUrl, 'kai')).toMatchObject({ code: 1008 });
  }, 60000);
});

describe('Redis away and back without its data', () => {
  const CAP = 3;
  const BURST = 3;
  let redis: OwnRedis | undefined;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  // After a Redis that lost its data, Bull's `tasks` queue sometimes takes ~40 s to close
  // (its onApplicationShutdown; not presence): room for that, the test is not about shutdown.
  const herald = useTestApp({
    name: 'presenceredis',
    env: () => ({
      REDIS_URL: redis!.url,
      PRESENCE_TTL_MS: String(TTL_MS),
      WS_MAX_SOCKETS_PER_USER: String(CAP),
      WS_USER_STORAGE_FRAMES_PER_SECOND: '1',
      WS_USER_STORAGE_FRAMES_BURST: String(BURST),
      RATE_LIMIT_ENABLED: 'false',
    }),
    hookTimeoutMs: 90_000,
  });
  afterAll(() => redis?.stop()); // after the app closes (declaration order)

  it('admits and limits by the instance itself while Redis is down, and rebuilds the count after', async () => {
    const presence = herald.get(PresenceService);
    await connect(herald.app.wsUrl, 'rhea', 2);
    expect(await presence.onlineUserIds(['rhea'])).toEqual(new Set(['rhea']));
    await redis!.stop();

    // Sockets: admitted up to the cap by this instance's own count, then refused.
    const [third] = await connect(herald.app.wsUrl, 'rhea');
    expect(await refused(herald.app.wsUrl, 'rhea')).toMatchObject({ code: 1008 });
    await expect(presence.onlineUserIds(['rhea'])).rejects.toThrow();

    // Storage-backed frames: the instance's own bucket of the same size.
    const answers: string[] = [];
    for (let i = 0; i < BURST + 1; i++) {
      const from = third.frames.length;
      third.send('resume', { afterSeq: 0 });
      const answer = await eventually(
        () => third.frames.slice(from).find((f) => f.event === 'resumed' || f.event === 'error'),
        5000,
        'the answer to resume',
      );
      answers.push(answer.event === 'error' ? (answer.data as { code: string }).code : 'served');
    }
    expect(answers.slice(0, BURST)).toEqual(Array(BURST).fill('served'));
    expect(answers[BURST]).toBe('rate_limited');

    // Back, empty: the next heartbeat writes the open sockets back, and the cap holds again.
    await redis!.start();
    await eventually(
      async () => (await presence.onlineUserIds(['rhea']).catch(() => new Set())).size === 1,
      10000,
      'the open sockets to be written back',
    );
    expect(await refused(herald.app.wsUrl, 'rhea')).toMatchObject({ code: 1008 });
    void third.close();
    await eventually(() => presence.localCount('rhea') === CAP - 1, 5000, 'a place to free');
    await connect(herald.app.wsUrl, 'rhea');
  }, 60000);
});

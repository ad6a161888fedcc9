/**
 * The cross-instance connection count through faults: an instance killed with SIGKILL (no
 * cleanup runs) stops holding its users' places within PRESENCE_TTL_MS; a Redis that lost its
 * data gets every open connection back from the next heartbeat; while Redis is unreachable,
 * sockets are admitted by the instance's own count and storage-backed frames are limited by
 * the instance's own bucket (fail safe: neither refused wholesale nor unlimited).
 */
import { PresenceService } from '../../src/realtime/presence.service';
import { OwnRedis } from '../support/redis-server';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from '../support/test-app';
import { tokenFor } from '../support/tokens';
import { TestSocket } from '../support/ws-client';
import { HeraldProcess } from './support/herald-process';

const TTL_MS = 3000;
const sockets: TestSocket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

async function connect(wsUrl: string, user: string, count = 1): Promise<TestSocket[]> {
  const opened: TestSocket[] = [];
  for (let i = 0; i < count; i++) opened.push(await TestSocket.connect(wsUrl, tokenFor(user)));
  sockets.push(...opened);
  return opened;
}

/** How a socket that should be refused was closed ('still open' if it was not, within 5 s). */
async function refused(wsUrl: string, user: string) {
  const socket = await TestSocket.connect(wsUrl, tokenFor(user), { waitReady: false });
  sockets.push(socket);
  const timeout = new Promise<'still open'>((resolve) =>
    setTimeout(() => resolve('still open'), 5000).unref(),
  );
  return Promise.race([socket.closed, timeout]);
}

describe('an instance killed with SIGKILL', () => {
  const isolation = newIsolation('presencekill');
  const env = { PRESENCE_TTL_MS: String(TTL_MS), RATE_LIMIT_ENABLED: 'false' };
  let survivor: TestApp | undefined;
  let killed: HeraldProcess | undefined;

  beforeAll(async () => {
    survivor = await startTestApp(isolation, env);
    killed = await HeraldProcess.start(isolation, env);
  }, 240000);

  afterAll(async () => {
    await killed?.kill();
    await survivor?.close();
    await destroyIsolation(isolation);
  });

  it("releases the killed instance's connections within PRESENCE_TTL_MS", async () => {
    const presence = survivor!.app.get(PresenceService);
    const onKilled = await connect(killed!.wsUrl, 'kai', 10); // the default cap
    expect(await presence.onlineUserIds(['kai', 'nobody'])).toEqual(new Set(['kai']));
    expect(await refused(survivor!.wsUrl, 'kai')).toMatchObject({ code: 1008 });

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
    const again = await connect(survivor!.wsUrl, 'kai', 10);
    expect(again.every((socket) => socket.frames[0].event === 'ready')).toBe(true);
    expect(await refused(survivor!.wsUrl, 'kai')).toMatchObject({ code: 1008 });
  }, 60000);
});

describe('Redis away and back without its data', () => {
  const isolation = newIsolation('presenceredis');
  const CAP = 3;
  const BURST = 3;
  let redis: OwnRedis | undefined;
  let app: TestApp | undefined;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    app = await startTestApp(isolation, {
      REDIS_URL: redis.url,
      PRESENCE_TTL_MS: String(TTL_MS),
      WS_MAX_SOCKETS_PER_USER: String(CAP),
      WS_USER_STORAGE_FRAMES_PER_SECOND: '1',
      WS_USER_STORAGE_FRAMES_BURST: String(BURST),
      RATE_LIMIT_ENABLED: 'false',
    });
  }, 60000);

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    await destroyIsolation(isolation);
  });

  it('admits and limits by the instance itself while Redis is down, and rebuilds the count after', async () => {
    const presence = app!.app.get(PresenceService);
    await connect(app!.wsUrl, 'rhea', 2);
    expect(await presence.onlineUserIds(['rhea'])).toEqual(new Set(['rhea']));
    await redis!.stop();

    // Sockets: admitted up to the cap by this instance's own count, then refused.
    const [third] = await connect(app!.wsUrl, 'rhea');
    expect(await refused(app!.wsUrl, 'rhea')).toMatchObject({ code: 1008 });
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
    expect(await refused(app!.wsUrl, 'rhea')).toMatchObject({ code: 1008 });
    third.close();
    await eventually(() => presence.localCount('rhea') === CAP - 1, 5000, 'a place to free');
    await connect(app!.wsUrl, 'rhea');
  }, 60000);
});

/**
 * SIGTERM to a real Herald process under load: it stops taking work, closes its sockets with
 * 1001, finishes the jobs it is running, exits 0, and nothing it accepted is lost.
 * (test/shutdown.e2e-spec.ts covers the same path in-process.)
 */
import type Bull from 'bull';
import { HeraldSocket } from '../../src/client';
import type { Client } from 'pg';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  sql,
  startTestApp,
  type TestApp,
} from '../support/test-app';
import { BASE_ENV } from '../support/env';
import { serviceToken, tokenFor } from '../support/tokens';
import { HeraldProcess } from './support/herald-process';
import {
  canConnect,
  notificationsQueue,
  publish,
  range1,
  RawHttp,
  rawPost,
  sleep,
  storedRows,
  type PublishOutcome,
} from './support/probes';

const isolation = newIsolation('sigterm');
const JOB_STALL_MS = 500;
const users = ['sam', 'sue', 'sid'];
let herald: HeraldProcess | undefined;
let successor: TestApp | undefined;
let db: Client | undefined;
let queue: Bull.Queue | undefined;
const sockets: HeraldSocket[] = [];

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.terminate()));
  await herald?.kill();
  await successor?.close();
  await queue?.close();
  await db?.query('ROLLBACK').catch(() => undefined);
  await db?.end();
  await destroyIsolation(isolation);
});

it('exits 0 after closing sockets with 1001 and finishing its running jobs; nothing accepted is lost', async () => {
  herald = await HeraldProcess.start(isolation, {
    QUEUE_LOCK_MS: '2000',
    QUEUE_CONCURRENCY: '8',
    RATE_LIMIT_ENABLED: 'false',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  const instance = herald;
  db = await sql(isolation);
  queue = notificationsQueue(isolation, BASE_ENV.REDIS_URL);
  for (const user of users)
    sockets.push(await HeraldSocket.connect(instance.wsUrl, tokenFor(user)));

  // Jobs in flight at SIGTERM: four publishes to `held` wait on the row lock of its counter,
  // which this test holds until after the signal.
  await db.query(`INSERT INTO notification_counters (user_id, last_seq) VALUES ('held', 0)`);
  await db.query('BEGIN');
  await db.query(`SELECT 1 FROM notification_counters WHERE user_id = 'held' FOR UPDATE`);
  // One after another: publishes accepted together would share one batch job.
  const held: PublishOutcome[] = [];
  for (const i of [1, 2, 3, 4]) {
    held.push(await publish(instance.url, { userIds: ['held'], type: 't', title: `h${i}` }));
  }
  expect(held.map((r) => r.status)).toEqual([202, 202, 202, 202]);
  await eventually(async () => (await queue!.getActiveCount()) === 4, 10000, '4 active jobs');

  // Load: two publishers keep going until the instance stops answering.
  const outcomes: { i: number; startedAt: number; outcome: PublishOutcome }[] = [];
  let next = 0;
  let refusedInARow = 0;
  const publisher = async () => {
    while (refusedInARow < 5) {
      const i = next++;
      const startedAt = Date.now();
      const outcome = await publish(instance.url, {
        userIds: [users[i % users.length]],
        type: 'load',
        title: `load-${i}`,
        idempotencyKey: `load-${i}`,
      });
      outcomes.push({ i, startedAt, outcome });
      refusedInARow = outcome.status === 0 ? refusedInARow + 1 : 0;
    }
  };
  const load = Promise.all([publisher(), publisher()]);
  await eventually(() => outcomes.length >= 40, 10000, '40 publishes before the signal');

  // A request in flight at the signal, on a keep-alive connection: its body is not all there.
  const raw = await RawHttp.open(instance.port);
  const inFlight = rawPost(
    '/v1/notifications',
    serviceToken(),
    JSON.stringify({
      userIds: ['sam'],
      type: 't',
      title: 'in flight',
      idempotencyKey: 'in-flight',
    }),
    true,
  );
  raw.write(inFlight.head);
  await eventually(() => raw.statuses[0] === 100, 5000, 'the server to read the head');
  raw.write(inFlight.body.slice(0, 10));

  instance.signal('SIGTERM');
  const exit = instance.exited.then((status) => ({ status, at: Date.now() }));
  const closes = await Promise.all(sockets.map((s) => s.closed));
  const stopping = Date.now();
  expect(closes).toEqual(users.map(() => ({ code: 1001, reason: 'server shutting down' })));
  // The request in flight is answered; the next one on the same connection is refused and
  // the connection closed.
  const after = rawPost(
    '/v1/notifications',
    serviceToken(),
    JSON.stringify({ userIds: ['sam'], type: 't', title: 'after', idempotencyKey: 'after' }),
  );
  raw.write(inFlight.body.slice(10));
  await eventually(() => raw.statuses.length === 2, 3000, 'the answer to the request in flight');
  raw.write(after.head + after.body);
  const closed = await raw.closedWithin(3000);
  expect({ closed, statuses: raw.statuses }).toEqual({ closed: true, statuses: [100, 202, 503] });
  expect(raw.text).toContain('"error":"Service Unavailable"');
  // in the one error shape, with the request's id
  expect(raw.text).toMatch(
    /"message":"shutting down, retry on another instance","requestId":"[0-9a-f-]{36}"/,
  );
  // No new work once shutting down: the listener is gone (no HTTP, no WebSocket upgrade).
  expect(await canConnect(instance.port)).toBe(false);
  expect(instance.running).toBe(true); // still finishing its jobs

  // Not a wait for something to happen: the length of the stall. The held jobs stay stuck (as
  // on a slow Postgres) for a while after the signal, and the instance must outlast the stall,
  // however long it is, then finish them: it exits only after the commit below.
  await sleep(JOB_STALL_MS);
  const committedAt = Date.now();
  await db.query('COMMIT'); // the in-flight jobs can finish now
  expect((await exit).status).toEqual({ code: 0, signal: null });
  expect((await exit).at).toBeGreaterThanOrEqual(committedAt);
  await load;

  // The jobs that were running at SIGTERM were finished by the stopping instance itself.
  const heldRows = (await storedRows(db)).filter((r) => r.user_id === 'held');
  expect(heldRows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);

  // Answers under shutdown: 202 before it, no answer or 503 after it; never anything else.
  const lateAccepted = outcomes.filter((o) => o.startedAt > stopping && o.outcome.status === 202);
  expect(lateAccepted).toEqual([]);
  const statuses = new Set(outcomes.map((o) => o.outcome.status));
  expect([...statuses].filter((s) => ![202, 503, 0].includes(s))).toEqual([]);
  const accepted = outcomes.filter((o) => o.outcome.status === 202);
  expect(accepted.length).toBeGreaterThanOrEqual(40);

  // A successor takes what was still queued: every accepted publish is stored exactly once.
  successor = await startTestApp(isolation);
  const acceptedTitles = [...accepted.map((o) => `load-${o.i}`), 'in flight'];
  const sent = new Set([...outcomes.map((o) => `load-${o.i}`), 'in flight']);
  const rows = await eventually(
    async () => {
      const all = (await storedRows(db!)).filter((r) => r.user_id !== 'held');
      const titles = new Set(all.map((r) => r.title));
      return acceptedTitles.every((t) => titles.has(t)) ? all : undefined;
    },
    20000,
    'every accepted publish to be stored',
  );
  expect(rows.length).toBe(new Set(rows.map((r) => r.title)).size); // none twice
  expect(rows.every((r) => sent.has(r.title))).toBe(true);

  // Clients reconnect to the successor, resume from the last seq they saw, and miss nothing.
  for (const [index, user] of users.entries()) {
    const before = sockets[index].all('notification').map((n) => n.seq);
    const socket = await HeraldSocket.connect(successor.wsUrl, tokenFor(user));
    sockets.push(socket);
    socket.send('resume', { afterSeq: before.at(-1) ?? 0 });
    const expected = rows.filter((r) => r.user_id === user).length;
    await eventually(
      () => before.length + socket.all('notification').length >= expected,
      10000,
      `${user} to see all ${expected} notifications`,
    );
    const seen = [...before, ...socket.all('notification').map((n) => n.seq)];
    expect(seen).toEqual(range1(expected));
  }
}, 90000);

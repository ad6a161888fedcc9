/**
 * unicast: `users` sockets connected; notifications to one user each (round robin) at a fixed
 * offered rate, open loop, for `durationS`. Latency: scheduled REST send → frame received.
 * Sustained = zero loss, zero errors, delivered rate ≥ 98 % of offered and the last frame
 * within 500 ms of the last scheduled send (the server kept up instead of queueing).
 */
import type { BenchRun, ConnectPhase } from '../bench-run';
import { ioDelta } from '../bench-run';
import { USER_PREFIX } from '../client-fleet';
import { MetricsSampler } from '../metrics-sampler';
import { DRAIN_MAX_MS, drainDeliveries } from './unicast-deliveries';
import { OFFLINE_PREFIX, type PushFigures, type PushSink } from '../push-sink';
import { openLoop, type OpenLoopResult } from '../rest-client';
import { nowMs, percentiles, round1, sleep } from '../stats';

export interface UnicastOptions {
  users: number;
  rate: number;
  durationS: number;
  concurrency: number;
  /** Publishes per REST call (> 1: POST /v1/notifications/batch). */
  perRequest: number;
  /**
   * Unmeasured seconds at the same rate first, drained before measuring: a fresh process is not
   * yet JIT-warm, and the REST client has not opened its connections yet.
   */
  warmupS: number;
  /** Sockets already connected by an earlier phase on the same run (skips connecting). */
  connected?: ConnectPhase;
  /**
   * Every other notification goes to one of `users` offline users, each subscribed on this
   * push service: half the traffic is Web Push. Those must reach the push service instead.
   */
  pushOffline?: PushSink;
}

const WARMUP_INDEX_OFFSET = 100_000_000;

/** A server that keeps up has delivered everything within this long after the last send. */
const SUSTAINED_BACKLOG_MS = 500;

export async function unicast(
  run: BenchRun,
  options: UnicastOptions,
): Promise<Record<string, unknown>> {
  const connect = options.connected ?? (await run.connect(options.users, options.concurrency));
  await options.pushOffline?.register(run, options.users);
  await warmUp(run, options);
  const io0 = run.ioCounts();
  const pg0 = await run.pgCounters();
  const storedBefore = await storedRows(run);
  const serverBefore = await run.herald.metrics();
  const sampler = new MetricsSampler(run.herald);
  await sampler.start();
  const meter = await run.meter();
  const sent = await openLoop(
    run.service,
    options.rate,
    options.durationS * 1000,
    publishBody(options, 'bench', 0),
    options.perRequest,
  );
  const toSocket = socketExpected(options, sent);
  const {
    delivered,
    deliveredUnaccepted,
    duplicates,
    seqDuplicates,
    outOfOrder,
    stray,
    latencies,
    bySecond,
    lastDeliveryAt,
    drainTimedOut,
  } = await drainDeliveries(run.fleet, sent, toSocket, options.durationS);
  let push: PushFigures | undefined;
  if (options.pushOffline) {
    push = await options.pushOffline.drain(
      run,
      (index) => index < sent.sent && isOffline(options, index) && sent.acceptedFlags[index] === 1,
      sent.accepted - toSocket,
      (index) => sent.scheduledAt[index],
    );
  }
  const cpu = await meter.end();
  await sampler.stop();
  await sleep(1200); // pg_stat_database is flushed about once a second
  const pg1 = await run.pgCounters();
  const serverAfter = await run.herald.metrics();
  const queueWaitingAtEnd = serverAfter.sum(
    'herald_queue_jobs{queue="notifications",state="waiting"}',
  );
  // Herald's own view of two stages (its histograms): % of the stage's events over 25/50/100 ms.
  const overMs = (histogram: string) => {
    const bucket = (le: string) => {
      const series = `${histogram}_bucket{le="${le}"}`;
      return (serverAfter.get(series) ?? 0) - (serverBefore.get(series) ?? 0);
    };
    const all = bucket('+Inf');
    return Object.fromEntries(
      [
        ['25', '0.025'],
        ['50', '0.05'],
        ['100', '0.1'],
      ].map(([ms, le]) => [ms, all ? round1(((all - bucket(le)) / all) * 100) : 0]),
    );
  };
  const stored = (await storedRows(run)) - storedBefore;
  const lastScheduledAt = sent.scheduledAt[sent.sent - 1] ?? sent.startedAt;
  const backlogMs = round1(Math.max(0, lastDeliveryAt - lastScheduledAt));
  const lost = toSocket - delivered + (push?.lost ?? 0);
  const elapsed = (end: number) => (end - sent.startedAt) / 1000;
  const perNotification = (value: number) =>
    Math.round((value / Math.max(1, sent.accepted)) * 100) / 100;
  const io = ioDelta(io0, run.ioCounts());
  // Pushes count as delivered notifications; their time is not in the rate (see push.latencyMs).
  const achievedRate = Math.round(
    (delivered + (push?.delivered ?? 0)) / elapsed(Math.max(lastDeliveryAt, sent.sendEndedAt)),
  );

  return {
    ...run.header('unicast'),
    connections: connect.connections,
    durationS: options.durationS,
    offeredRate: options.rate,
    publishesPerRequest: options.perRequest,
    sendRate: Math.round(sent.sent / elapsed(sent.sendEndedAt)),
    achievedRate,
    sent: sent.sent,
    accepted: sent.accepted,
    errors: sent.errors,
    stored,
    delivered,
    ...(push ? { pushOffline: true, push } : {}),
    lost,
    // lost > 0 with drainTimedOut and a waiting queue: not delivered within the run's bounds
    // (DRAIN_MAX_MS after the last send), i.e. far beyond what the server sustains.
    drainTimedOut,
    queueWaitingAtEnd,
    /** The same notification received twice / a seq at or below the socket's last one. */
    duplicates,
    seqDuplicates,
    outOfOrder,
    stray,
    deliveredUnaccepted,
    latencyMs: percentiles(latencies),
    /** p99 of each second of the run: a stall shows up as the seconds it hit. */
    p99BySecondMs: bySecond.map((values) => percentiles(values).p99),
    restMs: percentiles(sent.restMs),
    /** Overload: answers by status, any over 1 s, 503s without Retry-After (all should be 0). */
    statusCounts: sent.statusCounts,
    answeredOver1s: sent.answeredOver1s,
    retryAfterMissing: sent.retryAfterMissing,
    /** Every request answered within 1 s with 202 or 503 + Retry-After, and no 202 lost. */
    overloadOk:
      lost === 0 &&
      sent.answeredOver1s === 0 &&
      sent.retryAfterMissing === 0 &&
      Object.keys(sent.statusCounts).every((status) => status === '202' || status === '503'),
    /** % of publishes stored more than 25 / 50 / 100 ms after their 202 (queue wait). */
    acceptedToStoredOverMsPct: overMs('herald_publish_store_latency_seconds'),
    /** % of frames handed to a socket more than 25 / 50 / 100 ms after their row was stored. */
    storedToSocketOverMsPct: overMs('herald_notification_delivery_latency_seconds'),
    backlogMs,
    sustained:
      lost === 0 &&
      sent.errors === 0 &&
      (push?.duplicates ?? 0) === 0 &&
      (push?.problems ?? 0) === 0 &&
      achievedRate >= 0.98 * options.rate &&
      backlogMs <= SUSTAINED_BACKLOG_MS,
    generatorLagMaxMs: round1(sent.generatorLagMaxMs),
    serverRssBeforeMiB: connect.serverRssBeforeMiB,
    serverRssAfterMiB: connect.serverRssAfterMiB,
    perConnectionKiB: connect.perConnectionKiB,
    serverRssMaxMiB: round1(sampler.rssMaxBytes / 1024 / 1024),
    loopLagMaxMs: round1(sampler.loopLagMaxMs),
    queueWaitingMax: sampler.queueWaitingMax,
    cpu,
    pgPerNotification: {
      transactions: perNotification(pg1.xact_commit - pg0.xact_commit),
      rowsInserted: perNotification(pg1.tup_inserted - pg0.tup_inserted),
      rowsUpdated: perNotification(pg1.tup_updated - pg0.tup_updated),
    },
    ...(Object.keys(io).length
      ? {
          ioPerNotification: Object.fromEntries(
            Object.entries(io).map(([key, value]) => [key, perNotification(value)]),
          ),
        }
      : {}),
    ...(sent.errorSamples.length ? { errorSamples: sent.errorSamples } : {}),
  };
}

/** With `pushOffline`, odd requests go to offline users. */
const isOffline = (options: UnicastOptions, i: number) =>
  options.pushOffline !== undefined && i % 2 === 1;

/** Accepted requests whose notification goes to a socket. */
function socketExpected(options: UnicastOptions, sent: OpenLoopResult): number {
  if (!options.pushOffline) return sent.accepted;
  let count = 0;
  for (let i = 0; i < sent.sent; i += 2) count += sent.acceptedFlags[i];
  return count;
}

/** Request i of a run; `offset` keeps warm-up indices apart from measured ones. */
function publishBody(options: UnicastOptions, tag: string, offset: number) {
  const run = `${tag}-${Date.now().toString(36)}`;
  const users = options.users;
  const recipient = (i: number) =>
    options.pushOffline
      ? `${i % 2 === 1 ? OFFLINE_PREFIX : USER_PREFIX}${Math.floor(i / 2) % users}`
      : `${USER_PREFIX}${i % users}`;
  return (i: number, t: number) => ({
    userIds: [recipient(i)],
    type: 'bench.unicast',
    title: `Bench notification ${i}`,
    body: 'An open-loop unicast benchmark notification.',
    data: { i: offset + i, t },
    idempotencyKey: `${run}-${i}`,
  });
}

async function storedRows(run: BenchRun): Promise<number> {
  const [{ stored }] = await run.herald.query<{ stored: number }>(
    'SELECT count(*)::int AS stored FROM notifications',
  );
  return stored;
}

/** Runs the same traffic unmeasured, waits until it is all delivered, and drops what arrived. */
async function warmUp(run: BenchRun, options: UnicastOptions): Promise<void> {
  if (options.warmupS > 0) {
    const warm = await openLoop(
      run.service,
      options.rate,
      options.warmupS * 1000,
      publishBody(options, 'warm', WARMUP_INDEX_OFFSET),
      options.perRequest,
    );
    const expected = socketExpected(options, warm);
    let received = 0;
    const deadline = nowMs() + DRAIN_MAX_MS;
    while (received < expected && nowMs() < deadline) {
      received += (await run.fleet.take()).received.length / 2;
      await sleep(200);
    }
  }
  await run.fleet.take();
}

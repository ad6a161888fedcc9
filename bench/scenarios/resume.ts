/**
 * resume: `users` clients connect, disconnect, miss `missed` notifications each (published as
 * `missed` publishes to all of them), then all reconnect at once and each sends
 * `resume { afterSeq }` after `ready`. Every client must get exactly its missed notifications, in
 * seq order, then `resumed { count, complete: true }`, and nothing more.
 */
import type { BenchRun } from '../bench-run';
import { USER_PREFIX } from '../client-fleet';
import { MetricsSampler } from '../metrics-sampler';
import { nowMs, percentiles, round1, waitFor } from '../stats';

export interface ResumeOptions {
  users: number;
  missed: number;
  concurrency: number;
}

const PUBLISHES_IN_FLIGHT = 5;

export async function resume(
  run: BenchRun,
  options: ResumeOptions,
): Promise<Record<string, unknown>> {
  const connect = await run.connect(options.users, options.concurrency);
  await run.fleet.close();
  const gone = await waitFor(
    async () => (await run.herald.metrics()).get('herald_ws_connections') === 0,
    10_000,
    100,
  );
  if (!gone) throw new Error('sockets still open on the server after closing them');

  const everyone = Array.from({ length: options.users }, (_, n) => `${USER_PREFIX}${n}`);
  let next = 0;
  const publishStarted = nowMs();
  await Promise.all(
    Array.from({ length: PUBLISHES_IN_FLIGHT }, async () => {
      while (next < options.missed) {
        const k = next++;
        const answer = await run.service.send('POST', '/v1/notifications', {
          userIds: everyone,
          type: 'bench.missed',
          title: `Missed ${k}`,
          data: { i: k, t: nowMs() },
        });
        if (answer.status !== 202) throw new Error(`publish: ${answer.status} ${answer.body}`);
      }
    }),
  );
  const expected = options.users * options.missed;
  const stored = await waitFor(
    async () =>
      (await run.herald.metrics()).sum('herald_notifications_published_total') >= expected,
    60_000,
    100,
  );
  if (!stored) throw new Error(`the ${expected} missed notifications were not stored within 60 s`);
  const storeMs = nowMs() - publishStarted;

  const sampler = new MetricsSampler(run.herald);
  await sampler.start();
  const meter = await run.meter();
  const results = await run.fleet.resume(options.missed);
  const cpu = await meter.end();
  await sampler.stop();
  const startedAt = Math.min(...results.map((r) => r.startedAt));
  const resumedAt = results.flatMap((r) => r.resumedAt);
  const exact = results.reduce((a, r) => a + r.exact, 0);
  return {
    ...run.header('resume'),
    connections: connect.connections,
    missedPerClient: options.missed,
    missedStoredInMs: Math.round(storeMs),
    clientsExact: exact,
    clientsWrong: results.reduce((a, r) => a + r.wrong, 0),
    clientsFailed: results.reduce((a, r) => a + r.failed, 0),
    replayed: results.reduce((a, r) => a + r.replayed, 0),
    stormMs: round1(Math.max(...resumedAt) - startedAt),
    latencyMs: percentiles(resumedAt.map((at) => at - startedAt)),
    allExact: exact === options.users,
    serverRssBeforeMiB: connect.serverRssBeforeMiB,
    serverRssAfterMiB: connect.serverRssAfterMiB,
    perConnectionKiB: connect.perConnectionKiB,
    loopLagMaxMs: round1(sampler.loopLagMaxMs),
    cpu,
    ...(results.some((r) => r.samples.length)
      ? { problems: results.flatMap((r) => r.samples).slice(0, 5) }
      : {}),
  };
}

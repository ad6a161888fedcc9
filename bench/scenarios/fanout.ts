/**
 * fanout: `users` sockets connected. Variant `users`: one publish naming every user (one REST
 * call). Variant `topic`: every user subscribed to one topic, one publish to the topic. Each
 * variant runs `rounds` measured publishes after one unmeasured (JIT-cold, reported as
 * coldRound); per round: REST call sent → first/last socket has it.
 */
import type { BenchRun } from '../bench-run';
import { USER_PREFIX } from '../client-fleet';
import { MetricsSampler } from '../metrics-sampler';
import { OFFLINE_PREFIX, type PushSink } from '../push-sink';
import { median, nowMs, percentiles, round1, sleep } from '../stats';

export interface FanoutOptions {
  users: number;
  rounds: number;
  concurrency: number;
  /** Every recipient has preferences that the store must look up (none mutes bench.fanout). */
  preferences?: boolean;
  /**
   * As many offline recipients again, each subscribed on this push service: half the
   * recipients get the publish by Web Push. Socket figures stay those of the online half.
   */
  pushOffline?: PushSink;
}

interface Round {
  restMs: number;
  received: number;
  firstMs: number;
  lastMs: number;
  /** `pushOffline`: pushes received for this round, and the last one's time after the send. */
  pushed?: number;
  pushLastMs?: number;
  /** Notification frames / (last − first socket). */
  framesPerSecond: number;
  wsFrames: number;
  wsFramesPerSecond: number;
}

const ROUND_TIMEOUT_MS = 30_000;
const TOPIC = 'bench-everyone';

export async function fanout(
  run: BenchRun,
  options: FanoutOptions,
): Promise<Record<string, unknown>[]> {
  const connect = await run.connect(options.users, options.concurrency);
  const online = Array.from({ length: options.users }, (_, n) => `${USER_PREFIX}${n}`);
  const offline = options.pushOffline
    ? Array.from({ length: options.users }, (_, n) => `${OFFLINE_PREFIX}${n}`)
    : [];
  const everyone = [...online, ...offline];
  await options.pushOffline?.register(run, options.users);
  const lines: Record<string, unknown>[] = [];
  if (options.preferences) {
    await run.herald.query(
      `INSERT INTO notification_preferences (user_id, push) SELECT u, false FROM unnest($1::varchar[]) u
       ON CONFLICT DO NOTHING`,
      [everyone],
    );
    await run.herald.query(
      `INSERT INTO notification_preference_rules (user_id, pattern, in_app)
       SELECT u, p, false FROM unnest($1::varchar[]) u, unnest(ARRAY['marketing.*', 'bench.other']) p
       ON CONFLICT DO NOTHING`,
      [everyone],
    );
    await run.herald.query('ANALYZE notification_preferences');
    await run.herald.query('ANALYZE notification_preference_rules');
  }
  for (const variant of ['users', 'topic'] as const) {
    if (variant === 'topic') {
      const answer = await run.service.send('PUT', `/v1/topics/${TOPIC}/subscribers`, {
        userIds: everyone,
      });
      if (answer.status !== 200) throw new Error(`subscribe: ${answer.status} ${answer.body}`);
    }
    const sampler = new MetricsSampler(run.herald);
    await sampler.start();
    const meter = await run.meter();
    const rounds: Round[] = [];
    const latencies: number[] = [];
    let lost = 0;
    let duplicates = 0;
    let cold: Round | null = null;
    let pushLost = 0;
    let pushDuplicates = 0;
    let pushProblems = 0;
    for (let r = -1; r < options.rounds; r++) {
      await run.fleet.take();
      const index = (variant === 'users' ? 1 : 1001) + r;
      const sentAt = nowMs();
      const target = variant === 'users' ? { userIds: everyone } : { topic: TOPIC };
      const answer = await run.service.send('POST', '/v1/notifications', {
        ...target,
        type: 'bench.fanout',
        title: `Fanout ${variant} round ${r}`,
        body: 'One publish to every connected user.',
        data: { i: index, t: sentAt },
      });
      if (answer.status !== 202) throw new Error(`publish: ${answer.status} ${answer.body}`);
      const times: number[] = [];
      let frames = 0;
      const deadline = nowMs() + ROUND_TIMEOUT_MS;
      while (times.length < options.users && nowMs() < deadline) {
        await sleep(50);
        const taken = await run.fleet.take();
        duplicates += taken.duplicates;
        frames += taken.frames;
        for (let k = 0; k < taken.received.length; k += 2) {
          if (taken.received[k] === index) times.push(taken.received[k + 1] - sentAt);
        }
      }
      times.sort((a, b) => a - b);
      const first = times[0] ?? 0;
      const last = times.at(-1) ?? 0;
      const round: Round = {
        restMs: round1(answer.ms),
        received: times.length,
        firstMs: round1(first),
        lastMs: round1(last),
        framesPerSecond: last > first ? Math.round((times.length / (last - first)) * 1000) : 0,
        wsFrames: frames,
        wsFramesPerSecond: last > first ? Math.round((frames / (last - first)) * 1000) : 0,
      };
      if (options.pushOffline) {
        const push = await options.pushOffline.drain(
          run,
          (i) => i === index,
          offline.length,
          () => sentAt,
        );
        round.pushed = push.delivered;
        round.pushLastMs = push.latencyMs.max;
        if (r >= 0) {
          pushLost += push.lost;
          pushDuplicates += push.duplicates;
          pushProblems += push.problems;
        }
      }
      await sleep(1000);
      if (r < 0) {
        cold = round; // the first publish after boot: JIT-cold, reported apart
        continue;
      }
      lost += Math.max(0, options.users - times.length);
      latencies.push(...times);
      rounds.push(round);
    }
    const cpu = await meter.end();
    await sampler.stop();
    lines.push({
      ...run.header(`fanout-${variant}`),
      connections: connect.connections,
      recipients: everyone.length,
      preferences: options.preferences ?? false,
      ...(options.pushOffline
        ? {
            offlineWithPush: offline.length,
            push: {
              lost: pushLost,
              duplicates: pushDuplicates,
              problems: pushProblems,
              lastMsMedian: median(rounds.map((r) => r.pushLastMs ?? 0)),
              lastMsMax: Math.max(...rounds.map((r) => r.pushLastMs ?? 0)),
            },
          }
        : {}),
      rounds: rounds.length,
      delivered: latencies.length,
      lost,
      duplicates,
      latencyMs: percentiles(latencies),
      lastMsMedian: median(rounds.map((r) => r.lastMs)),
      lastMsMax: Math.max(...rounds.map((r) => r.lastMs)),
      framesPerSecondMedian: median(rounds.map((r) => r.framesPerSecond)),
      framesPerSecondMin: Math.min(...rounds.map((r) => r.framesPerSecond)),
      // Every WebSocket frame: each notification is followed by its `unread` frame.
      wsFramesPerSecondMedian: median(rounds.map((r) => r.wsFramesPerSecond)),
      perRound: rounds,
      coldRound: cold,
      serverRssBeforeMiB: connect.serverRssBeforeMiB,
      serverRssAfterMiB: connect.serverRssAfterMiB,
      perConnectionKiB: connect.perConnectionKiB,
      loopLagMaxMs: round1(sampler.loopLagMaxMs),
      cpu,
    });
  }
  return lines;
}

/**
 * The bench's command line: its options (USAGE, each default declared once, there) and the plan
 * it stands for, one Spec per fresh server run with its socket count, its time limit and what
 * it measures.
 */
import { parseArgs } from 'node:util';
import type { BenchRun } from './bench-run';
import { compareUnicast, searchSustained } from './compare';
import type { BenchTarget } from './herald-process';
import type { PushSink } from './push-sink';
import { connections } from './scenarios/connections';
import { fanout } from './scenarios/fanout';
import { resume } from './scenarios/resume';
import { unicast } from './scenarios/unicast';

const USAGE = `usage: npm run bench -- <unicast|sustained|overload|fanout|connections|resume|all|machine> [options]
  --rate 500,1000,2000   unicast offered rates (one run each); sustained: the ladder (default 1000)
  --compare              unicast/sustained: Herald and the reference, interleaved, with ratios
  --repeat N             --compare: interleaved pairs per rate (H R, R H, ...)  (default 1)
  --misses N             sustained: stop after N unsustained steps in a row   (default 1)
  --target herald|reference  which server (default herald; --compare runs both)
  --duration 10          unicast seconds per rate                  (default 10)
  --per-request N        unicast publishes per REST call; > 1 uses
                         POST /v1/notifications/batch              (default 1)
  --warmup 5             unicast unmeasured warm-up seconds        (default 5)
  --users N              sockets (unicast 5000, fanout 10000, resume 1000)
  --connections N        connections scenario sockets              (default 10000)
  --missed N             resume: missed notifications per client   (default 50)
  --rounds N             fanout publishes per variant              (default 5)
  --preferences          fanout: every recipient has preferences (a muted prefix, channels)
  --push-offline         unicast/fanout: as many offline users as sockets, each with a Web Push
                         subscription on a local push service; half the notifications go to them
  --push-instance        with --push-offline: the push queue runs on one more instance of its own
                         (PROCESS_QUEUES=push, nice 19, no clients), the others run the rest;
                         BENCH_BACKGROUND=idle: it and the push service under SCHED_IDLE
  --concurrency N        WebSocket handshakes in flight            (default 200)
  --rest-sockets N       publisher's keep-alive connections: a request waits in the
                         generator when all are busy, so overload runs want many (default 256)
  --workers N            client worker processes                   (default 4)
  --instances N          Herald processes, one deployment          (default 1)
  --env KEY=VALUE        extra server environment (repeatable)
  --node-arg=--flag      extra node flag for the server, e.g. --node-arg=--trace-gc (repeatable)
  --cpu-prof             write a V8 CPU profile of the server ($BENCH_OUT/<run>/profiles)
  --count-io             count SQL statements and Redis commands per notification
  --no-build             use the existing dist/ instead of \`npx nest build\``;

const parsed = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '1000' },
    compare: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    misses: { type: 'string', default: '1' },
    target: { type: 'string', default: 'herald' },
    duration: { type: 'string', default: '10' },
    'per-request': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '5' },
    users: { type: 'string' },
    connections: { type: 'string', default: '10000' },
    missed: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    preferences: { type: 'boolean', default: false },
    'push-offline': { type: 'boolean', default: false },
    'push-instance': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '200' },
    'rest-sockets': { type: 'string', default: '256' },
    workers: { type: 'string', default: '4' },
    instances: { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    'cpu-prof': { type: 'boolean', default: false },
    'count-io': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

export const { values } = parsed;
export const scenario = parsed.positionals[0];
export const num = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
type Runner = (run: BenchRun, runs: Partial<Record<BenchTarget, BenchRun>>) => Promise<Line[]>;
type Line = Record<string, unknown>;
export interface Spec {
  name: string;
  sockets: number;
  minutes: number;
  runner: Runner;
  targets?: BenchTarget[];
}

/** The runs the command line asks for; `pushSink` is started before any when `--push-offline`. */
export function plan(pushSink: PushSink | undefined): Spec[] {
  const concurrency = num(values.concurrency, 200);
  const rates = values.rate.split(',').map(Number);
  const phase = {
    users: num(values.users, 5000),
    durationS: num(values.duration, 10),
    warmupS: num(values.warmup, 5),
    concurrency,
    perRequest: num(values['per-request'], 1),
  };
  /** Minutes per measured unicast phase, generously (drain, warm-up, fresh server). */
  const phaseMinutes = 1.5 + (phase.durationS + phase.warmupS) / 60;
  const both: BenchTarget[] = ['herald', 'reference'];
  if (values.target !== 'herald' && values.target !== 'reference') throw new Error(USAGE);
  const target: BenchTarget = values.target;
  if (values.compare && scenario === 'unicast') {
    const repeat = num(values.repeat, 1);
    return [
      {
        name: `compare-${values.rate.replace(/,/g, '-')}`,
        sockets: phase.users * 2,
        minutes: 4 + rates.length * repeat * 2 * phaseMinutes,
        targets: both,
        runner: (_run, runs) =>
          compareUnicast(
            { herald: runs.herald as BenchRun, reference: runs.reference as BenchRun },
            rates,
            repeat,
            phase,
          ),
      },
    ];
  }
  if (scenario === 'sustained') {
    const targets = values.compare ? both : [target];
    return [
      {
        name: 'sustained',
        sockets: phase.users * targets.length,
        minutes: 4 + rates.length * targets.length * phaseMinutes,
        targets,
        runner: (_run, runs) => searchSustained(runs, rates, num(values.misses, 1), phase),
      },
    ];
  }
  const unicastRuns: Spec[] = values.rate.split(',').map((rate) => ({
    name: `${scenario === 'overload' ? 'overload' : 'unicast'}-${rate}`,
    sockets: num(values.users, 5000),
    minutes: 4 + (num(values.duration, 10) + num(values.warmup, 5)) / 60,
    targets: [target],
    runner: async (run: BenchRun) => [
      await unicast(run, {
        users: num(values.users, 5000),
        rate: Number(rate),
        durationS: num(values.duration, 10),
        warmupS: num(values.warmup, 5),
        concurrency,
        perRequest: num(values['per-request'], 1),
        pushOffline: pushSink,
      }),
    ],
  }));
  const fanoutRun = {
    name: 'fanout',
    sockets: num(values.users, 10_000),
    minutes: 5,
    runner: (run: BenchRun) =>
      fanout(run, {
        users: num(values.users, 10_000),
        rounds: num(values.rounds, 5),
        concurrency,
        preferences: values.preferences,
        pushOffline: pushSink,
      }),
  };
  const connectionsRun = {
    name: 'connections',
    sockets: num(values.connections, 10_000),
    minutes: 4,
    runner: async (run: BenchRun) => [
      await connections(run, { connections: num(values.connections, 10_000), concurrency }),
    ],
  };
  const resumeRun = {
    name: 'resume',
    sockets: num(values.users, 1000),
    minutes: 4,
    runner: async (run: BenchRun) => [
      await resume(run, {
        users: num(values.users, 1000),
        missed: num(values.missed, 50),
        concurrency,
      }),
    ],
  };
  switch (scenario) {
    case 'unicast':
    case 'overload':
      return unicastRuns;
    case 'fanout':
      return [fanoutRun];
    case 'connections':
      return [connectionsRun];
    case 'resume':
      return [resumeRun];
    case 'all':
      return [...unicastRuns, fanoutRun, connectionsRun, resumeRun];
    default:
      throw new Error(USAGE);
  }
}

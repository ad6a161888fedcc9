/**
 * `npm run bench -- <scenario> [options]`: benchmarks a built Herald end to end (REST call sent
 * → frame received) and prints one JSON line per run (also appended to $BENCH_OUT/results.jsonl,
 * default /tmp/herald-bench-out, with each run's server log, CPU profile and I/O counts).
 * Scenarios: unicast, fanout, connections, resume, all; `machine` prints what it runs on;
 * `sustained` searches the sustained unicast rate; `overload` is unicast judged as overload.
 * `--compare` runs unicast/sustained against Herald and the reference service (bench/reference)
 * in one run, interleaved, and prints Herald's figures as ratios of the reference's.
 * Every run starts a fresh server on a wiped database and stops by itself. See bench/RESULTS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchRun, type BenchOptions } from './bench-run';
import { compareUnicast, searchSustained } from './compare';
import type { BenchTarget } from './herald-process';
import { machineInfo } from './machine';
import { PushSink } from './push-sink';
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

const { values, positionals } = parseArgs({
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

const root = process.cwd();
const scenario = positionals[0];
const num = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
type Runner = (run: BenchRun, runs: Partial<Record<BenchTarget, BenchRun>>) => Promise<Line[]>;
type Line = Record<string, unknown>;
interface Spec {
  name: string;
  sockets: number;
  minutes: number;
  runner: Runner;
  targets?: BenchTarget[];
}

/** Started in main() before any Herald when `--push-offline` is given. */
let pushSink: PushSink | undefined;

function plan(): Spec[] {
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

/** 10,000 sockets need more file descriptors than many shells allow: re-exec under `ulimit -n`. */
function ensureFileLimit(sockets: number): void {
  const needed = sockets + 2048;
  const soft = Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }));
  if (soft >= needed) return;
  const hardText = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  const hard = hardText === 'unlimited' ? Infinity : Number(hardText);
  if (process.env.BENCH_ULIMIT_RAISED || hard < needed) {
    throw new Error(
      `need ulimit -n >= ${needed} (soft ${soft}, hard ${hardText}); raise it and retry`,
    );
  }
  const limit = Math.min(hard, 65_536);
  const child = spawnSync(
    'bash',
    [
      '-c',
      `ulimit -n ${limit} && exec "$@"`,
      'bash',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, BENCH_ULIMIT_RAISED: '1' } },
  );
  process.exit(child.status ?? 1);
}

let current: BenchRun[] = [];

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
  if (pkg.name !== 'herald') throw new Error('run from the Herald repository root (npm run bench)');
  if (scenario === 'machine') {
    console.log(JSON.stringify(await machineInfo()));
    return;
  }
  if (values['push-offline']) {
    if (values.compare || !['unicast', 'fanout'].includes(scenario)) {
      throw new Error('--push-offline: unicast or fanout, without --compare');
    }
    pushSink = await PushSink.start();
  }
  const runs = plan();
  ensureFileLimit(Math.max(...runs.map((r) => r.sockets)) + num(values['rest-sockets'], 256));
  if (!values['no-build']) {
    console.error('building: npx nest build');
    execFileSync('npx', ['nest', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  // Outside the repository: logs, profiles and counts are not sources (and lint would see them).
  const outRoot = process.env.BENCH_OUT ?? join(tmpdir(), 'herald-bench-out');
  mkdirSync(outRoot, { recursive: true });
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  for (const spec of runs) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const targets = spec.targets ?? ['herald'];
    const optionsFor = (target: BenchTarget): BenchOptions => ({
      root,
      outDir: join(
        outRoot,
        `${spec.name}-${stamp}${targets.length > 1 || target !== 'herald' ? `-${target}` : ''}`,
      ),
      target,
      workers: num(values.workers, 4),
      restSockets: num(values['rest-sockets'], 256),
      instances: num(values.instances, 1),
      env: {
        ...pushSink?.env(),
        ...Object.fromEntries(
          values.env.map((pair) => pair.split(/=(.*)/s, 2) as [string, string]),
        ),
      },
      nodeArgs: values['node-arg'],
      // The reference has no profile or I/O counting hooks of its own; Herald is what is profiled.
      cpuProf: values['cpu-prof'] && target === 'herald',
      countIo: values['count-io'] && target === 'herald',
    });
    console.error(`running ${spec.name} (logs: ${join(outRoot, `${spec.name}-${stamp}`)}*)`);
    const watchdog = setTimeout(
      () => abort(`${spec.name} ran over ${spec.minutes.toFixed(1)} min`),
      spec.minutes * 60_000,
    );
    const started: Partial<Record<BenchTarget, BenchRun>> = {};
    try {
      for (const target of targets) {
        started[target] = await BenchRun.start(optionsFor(target));
        current.push(started[target]);
      }
      for (const line of await spec.runner(current[0], started)) {
        const text = JSON.stringify({ ...line, command });
        console.log(text);
        appendFileSync(join(outRoot, 'results.jsonl'), `${text}\n`);
      }
    } finally {
      clearTimeout(watchdog);
      const finishing = current;
      current = [];
      await Promise.all(finishing.map((run) => run.finish()));
    }
  }
}

function abort(reason: string): void {
  console.error(`bench aborted: ${reason}`);
  const finishing = current;
  current = [];
  if (finishing.length === 0) process.exit(2);
  void Promise.all(finishing.map((run) => run.finish())).finally(() => process.exit(2));
  setTimeout(() => process.exit(2), 35_000).unref();
}

process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    abort('failed');
  },
);

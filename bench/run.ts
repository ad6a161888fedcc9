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
import { BenchRun, type BenchOptions } from './bench-run';
import { num, plan, scenario, values } from './bench-plan';
import type { BenchTarget } from './herald-process';
import { machineInfo } from './machine';
import { PushSink } from './push-sink';

const root = process.cwd();

/** Started in main() before any Herald when `--push-offline` is given. */
let pushSink: PushSink | undefined;

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
  if (values['push-instance'] && !values['push-offline']) {
    throw new Error('--push-instance goes with --push-offline');
  }
  if (values['push-offline']) {
    if (values.compare || !['unicast', 'fanout'].includes(scenario)) {
      throw new Error('--push-offline: unicast or fanout, without --compare');
    }
    pushSink = await PushSink.start();
  }
  const runs = plan(pushSink);
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
      pushService: pushSink,
      pushInstance: values['push-instance'],
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

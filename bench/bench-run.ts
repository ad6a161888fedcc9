/**
 * One benchmark run's fixtures: a fresh Herald (HeraldProcess), the WebSocket client workers
 * (ClientFleet), a service REST client, and meters for memory, CPU and (optionally) I/O counts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import jwt from 'jsonwebtoken';
import { autogroupEnabled, backgroundPolicy } from './background';
import { ClientFleet } from './client-fleet';
import { HeraldCluster } from './herald-cluster';
import { BENCH_ORIGIN, shippedNodeFlags, type BenchTarget } from './herald-process';
import { MetricsSampler } from './metrics-sampler';
import { ResourceMeter } from './resource-meter';
import { RestClient } from './rest-client';
import { MiB, percentiles, round1, sleep, type Percentiles } from './stats';

/** What io-counter.ts writes, one file per Herald process. */
const IO_FILE = /^io-counts-\d+\.json$/;

export interface BenchOptions {
  root: string;
  outDir: string;
  workers: number;
  /** Herald processes (one deployment: same database and Redis prefix). */
  instances: number;
  /** Extra server environment. */
  env: Record<string, string>;
  /** Extra node flags for the server. */
  nodeArgs: string[];
  cpuProf: boolean;
  countIo: boolean;
  /** Herald (default) or the reference service (bench/reference). */
  target?: BenchTarget;
  /** Keep-alive connections of the publishing REST client (default 256). */
  restSockets?: number;
  /** `--push-instance`: the `push` queue runs on an instance of its own (HeraldCluster). */
  pushInstance?: boolean;
  /** `--push-offline`: the push service, whose CPU the meter reports apart. */
  pushService?: { cpuSeconds(): number };
}

export interface ConnectPhase {
  connections: number;
  connectFailed: number;
  connectMs: number;
  connectPerSecond: number;
  serverRssBeforeMiB: number;
  serverRssAfterMiB: number;
  perConnectionKiB: number;
  heapPerConnectionKiB: number;
  connectLoopLagMaxMs: number;
  /** Per connection: attempt → upgrade answered, attempt → `ready` (client side). */
  handshakeMs: Percentiles;
  readyMs: Percentiles;
}

export class BenchRun {
  readonly service: RestClient;
  private readonly ioDir: string;
  private readonly startedAt = new Date().toISOString();
  private readonly loadBefore = loadavg().map(round1);

  private constructor(
    readonly options: BenchOptions,
    readonly herald: HeraldCluster,
    readonly fleet: ClientFleet,
  ) {
    const token = jwt.sign(
      { sub: 'bench-publisher', scope: 'notifications:write' },
      herald.jwtSecret,
      {
        algorithm: 'HS256',
        expiresIn: 3600,
      },
    );
    this.service = new RestClient(herald.urls, token, options.restSockets);
    this.ioDir = options.outDir;
  }

  static async start(options: BenchOptions): Promise<BenchRun> {
    const nodeArgs = [...options.nodeArgs];
    const env = { ...options.env };
    if (options.cpuProf)
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(options.outDir, 'profiles')}`);
    if (options.countIo) {
      // Compiled to plain CommonJS: a TypeScript loader inside the server would change how it
      // resolves packages (terminus' import.meta.resolve fails under tsx).
      const counter = join(options.outDir, 'io-counter.cjs');
      buildSync({
        entryPoints: [join(__dirname, 'io-counter.ts')],
        outfile: counter,
        platform: 'node',
        format: 'cjs',
        logLevel: 'error',
      });
      nodeArgs.push('--require', counter);
      // Each process (every instance, the push instance too) writes a file of its own.
      env.BENCH_IO_FILE = join(options.outDir, 'io-counts.json');
    }
    const herald = new HeraldCluster(
      { root: options.root, outDir: options.outDir, env, nodeArgs, target: options.target },
      options.instances,
      options.pushInstance,
    );
    await herald.start();
    return new BenchRun(options, herald, new ClientFleet(options.workers));
  }

  /** Fields every result line carries. */
  header(scenario: string): Record<string, unknown> {
    return {
      scenario,
      target: this.options.target ?? 'herald',
      at: this.startedAt,
      commit: commitOf(this.options.root),
      loadBefore: this.loadBefore,
      workers: this.options.workers,
      instances: this.options.instances,
      ...(this.options.pushInstance ? { pushInstance: true } : {}),
      // How the push instance and push service ran (bench/background.ts), and whether the
      // kernel groups tasks by session (autogroup: nice then only ranks within a session).
      ...(this.options.pushInstance || this.options.pushService
        ? { background: backgroundPolicy(), autogroup: autogroupEnabled() }
        : {}),
      ...(Object.keys(this.options.env).length ? { serverEnv: shownEnv(this.options.env) } : {}),
      // Herald's own flags (start:prod's), then `--node-arg`s: what the server ran with.
      ...((this.options.target ?? 'herald') === 'herald'
        ? { serverNodeFlags: shippedNodeFlags(this.options.root) }
        : {}),
      ...(this.options.nodeArgs.length ? { serverNodeArgs: this.options.nodeArgs } : {}),
    };
  }

  /**
   * Connects `users` sockets and measures the server's RSS before and after (per connection =
   * the difference / connections) and its worst event-loop stall while they connect.
   */
  async connect(users: number, concurrency: number): Promise<ConnectPhase> {
    await sleep(1000); // let boot-time work settle before the baseline
    const before = await this.herald.metrics();
    const sampler = new MetricsSampler(this.herald);
    await sampler.start();
    const result = await this.fleet.connect(
      { wsUrls: this.herald.wsUrls, origin: BENCH_ORIGIN, jwtSecret: this.herald.jwtSecret },
      users,
      concurrency,
    );
    await sampler.stop();
    await sleep(2000); // let connection bursts' garbage go before the second reading
    const after = await this.herald.metrics();
    const rssBefore = before.get('process_resident_memory_bytes') ?? 0;
    const rssAfter = after.get('process_resident_memory_bytes') ?? 0;
    const heapBefore = before.get('nodejs_heap_size_used_bytes') ?? 0;
    const heapAfter = after.get('nodejs_heap_size_used_bytes') ?? 0;
    const opened = Math.max(1, result.opened);
    if (result.failed)
      console.error(`connect: ${result.failed} failed, e.g. ${result.errors.join('; ')}`);
    return {
      connections: result.opened,
      connectFailed: result.failed,
      connectMs: Math.round(result.durationMs),
      connectPerSecond: Math.round((result.opened / result.durationMs) * 1000),
      serverRssBeforeMiB: round1(rssBefore / MiB),
      serverRssAfterMiB: round1(rssAfter / MiB),
      perConnectionKiB: round1((rssAfter - rssBefore) / opened / 1024),
      heapPerConnectionKiB: round1((heapAfter - heapBefore) / opened / 1024),
      connectLoopLagMaxMs: round1(sampler.loopLagMaxMs),
      handshakeMs: percentiles(result.openMs),
      readyMs: percentiles(result.readyMs),
    };
  }

  /** Starts a CPU meter over the server, its Postgres backends, Redis and the load generator. */
  async meter(): Promise<ResourceMeter> {
    const meter = new ResourceMeter(this);
    await meter.begin();
    return meter;
  }

  /** Cumulative transaction and row counters of the bench database (pg_stat_database). */
  async pgCounters(): Promise<Record<string, number>> {
    const [row] = await this.herald.query<Record<string, string>>(
      `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Object.fromEntries(
      Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]),
    );
  }

  /**
   * Running totals of SQL statements and Redis commands, summed over every Herald process of
   * the run (only with --count-io).
   */
  ioCounts(): Record<string, number> {
    if (!this.options.countIo || !existsSync(this.ioDir)) return {};
    const totals: Record<string, number> = {};
    for (const name of readdirSync(this.ioDir)) {
      if (!IO_FILE.test(name)) continue;
      const counts = JSON.parse(readFileSync(join(this.ioDir, name), 'utf8')) as Record<
        string,
        number
      >;
      for (const [key, value] of Object.entries(counts)) totals[key] = (totals[key] ?? 0) + value;
    }
    return totals;
  }

  async finish(): Promise<void> {
    this.service.close();
    await this.fleet.stop().catch(() => undefined);
    await this.herald.stop();
  }
}

function commitOf(root: string): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** Subtracts two io-count snapshots, keeping what changed, largest first. */
export function ioDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
      .filter(([, value]) => value > 0)
      .sort((a, b) => b[1] - a[1]),
  );
}

/** The server environment as a result line shows it: keys and certificates only as `(set)`. */
function shownEnv(env: Record<string, string>): Record<string, string> {
  const hidden = new Set(['WEB_PUSH_VAPID_PRIVATE_KEY', 'WEB_PUSH_EXTRA_CA']);
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, hidden.has(key) ? '(set)' : value]),
  );
}

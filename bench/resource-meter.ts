import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import type { ClientFleet } from './client-fleet';
import type { HeraldCluster } from './herald-cluster';
import { processCpuSeconds } from './herald-process';
import { nowMs } from './stats';

/** What a meter reads from a bench run (BenchRun). */
export interface MeteredRun {
  readonly herald: Pick<
    HeraldCluster,
    'cpuSeconds' | 'pushInstance' | 'pushInstanceCpuSeconds' | 'postgresBackends'
  >;
  readonly fleet: Pick<ClientFleet, 'stats'>;
  readonly options: {
    readonly cpuProf: boolean;
    /** `--push-offline`'s push service, a process of its own. */
    readonly pushService?: { cpuSeconds(): number };
  };
}

interface CpuReading {
  at: number;
  server: number;
  pushInstance: number;
  redis: number;
  loadgen: number;
  pushService: number;
  machineBusy: number;
  machineTotal: number;
}

/**
 * CPU used over one phase by the server, its Postgres backends, Redis, the load generator (and
 * the bench's push service, when there is one).
 */
export class ResourceMeter {
  private start: CpuReading | null = null;
  /** CPU seconds of each Postgres backend of the bench database at begin(). */
  private backendsAtStart = new Map<number, number>();
  private readonly redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  private clientUtilization = 0;
  /** CLOCK_MONOTONIC µs at begin/end: the same clock as V8 CPU profile timestamps. */
  private readonly window = { fromUs: 0, toUs: 0 };

  constructor(private readonly run: MeteredRun) {}

  async begin(): Promise<void> {
    for (const pid of await this.run.herald.postgresBackends()) {
      this.backendsAtStart.set(pid, processCpuSeconds(pid));
    }
    await this.run.fleet.stats(); // resets the workers' utilization window
    this.start = await this.read();
    this.window.fromUs = monotonicUs();
  }

  /** CPU used since begin(), in % of one core; machineBusyPct in % of all cores. */
  async end(): Promise<Record<string, number>> {
    this.window.toUs = monotonicUs();
    const end = await this.read();
    const start = this.start ?? end;
    this.redis.disconnect();
    // Backends opened during the phase count in full; those that closed are lost (rare: a pool).
    let postgres = 0;
    for (const pid of await this.run.herald.postgresBackends()) {
      postgres += processCpuSeconds(pid) - (this.backendsAtStart.get(pid) ?? 0);
    }
    const seconds = (end.at - start.at) / 1000;
    const pct = (a: number, b: number) => Math.round(((b - a) / seconds) * 100);
    const ours = {
      serverPct: pct(start.server, end.server),
      ...(this.run.herald.pushInstance
        ? { pushInstancePct: pct(start.pushInstance, end.pushInstance) }
        : {}),
      postgresPct: pct(0, postgres),
      redisPct: pct(start.redis, end.redis),
      loadgenPct: pct(start.loadgen, end.loadgen),
      ...(this.run.options.pushService
        ? { pushServicePct: pct(start.pushService, end.pushService) }
        : {}),
    };
    const busy = (end.machineBusy - start.machineBusy) / (end.machineTotal - start.machineTotal);
    return {
      ...ours,
      // Everything else on the machine (other engineers' test runs, kernel), in % of one core.
      othersPct: Math.max(
        0,
        Math.round(busy * availableParallelism() * 100) -
          Object.values(ours).reduce((a, b) => a + b, 0),
      ),
      machineBusyPct: Math.round(busy * 100),
      clientLoopUtilMaxPct: Math.round(this.clientUtilization * 100),
      // With --cpu-prof: `npx tsx bench/profile-summary.ts <profile> --from <fromUs> --to <toUs>`
      ...(this.run.options.cpuProf
        ? { profileFromUs: this.window.fromUs, profileToUs: this.window.toUs }
        : {}),
    };
  }

  private async read(): Promise<CpuReading> {
    const info = await this.redis.info('cpu');
    const redisCpu = ['used_cpu_sys', 'used_cpu_user']
      .map((key) => Number(new RegExp(`${key}:([\\d.]+)`).exec(info)?.[1] ?? 0))
      .reduce((a, b) => a + b, 0);
    const fleet = await this.run.fleet.stats();
    this.clientUtilization = fleet.maxUtilization;
    const own = process.cpuUsage();
    const [busy, total] = machineTicks();
    return {
      at: nowMs(),
      server: this.run.herald.cpuSeconds(),
      pushInstance: this.run.herald.pushInstanceCpuSeconds(),
      redis: redisCpu,
      loadgen: fleet.cpuSeconds + (own.user + own.system) / 1e6,
      pushService: this.run.options.pushService?.cpuSeconds() ?? 0,
      machineBusy: busy,
      machineTotal: total,
    };
  }
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** [busy, total] jiffies of all CPUs from /proc/stat. */
function machineTicks(): [number, number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return [total - ticks[3] - ticks[4], total];
}

import { randomBytes } from 'node:crypto';
import {
  HeraldProcess,
  resetStorage,
  type BenchTarget,
  type HeraldOptions,
} from './herald-process';
import { MetricsSnapshot } from './prometheus';

/**
 * One or more Herald processes of one deployment (same database, same Redis prefix, as
 * docker-compose runs them behind nginx): REST calls and sockets are spread over them, and
 * notifications cross between them over Redis. Metrics are summed over instances, except
 * those that are the same everywhere (queue depth) or worst-case (event-loop stall): max.
 */
export class HeraldCluster {
  readonly jwtSecret = randomBytes(32).toString('hex');
  readonly instances: HeraldProcess[];
  readonly target: BenchTarget;

  constructor(options: HeraldOptions, count: number) {
    this.target = options.target ?? 'herald';
    this.instances = Array.from(
      { length: count },
      (_, index) => new HeraldProcess(options, this.jwtSecret, index),
    );
  }

  get urls(): string[] {
    return this.instances.map((instance) => instance.url);
  }

  get wsUrls(): string[] {
    return this.instances.map((instance) => instance.wsUrl);
  }

  /** Wipes the bench database and keys; the first instance migrates, then the others start. */
  async start(): Promise<void> {
    await resetStorage(this.target);
    const [first, ...others] = this.instances;
    await first.start();
    await Promise.all(others.map((instance) => instance.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }

  async metrics(): Promise<MetricsSnapshot> {
    return MetricsSnapshot.merge(
      await Promise.all(this.instances.map((instance) => instance.metrics())),
      ['herald_queue_jobs', 'nodejs_eventloop_lag_max_seconds'],
    );
  }

  cpuSeconds(): number {
    return this.instances.reduce((total, instance) => total + instance.cpuSeconds(), 0);
  }

  postgresBackends(): Promise<number[]> {
    return this.instances[0].postgresBackends();
  }

  query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.instances[0].query<T>(sql, params);
  }
}

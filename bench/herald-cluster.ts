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
 * With `pushInstance`, the instances clients use do not run the `push` queue; one more
 * instance, at nice 19 and used by no client, runs it alone (PROCESS_QUEUES=push), as README's
 * "Web Push" describes; its CPU is read apart.
 */
export class HeraldCluster {
  readonly jwtSecret = randomBytes(32).toString('hex');
  readonly instances: HeraldProcess[];
  readonly pushInstance: HeraldProcess | undefined;
  readonly target: BenchTarget;

  constructor(options: HeraldOptions, count: number, pushInstance = false) {
    this.target = options.target ?? 'herald';
    const serving = pushInstance ? { env: { PROCESS_QUEUES: 'notifications,tasks,inbox' } } : {};
    this.instances = Array.from(
      { length: count },
      (_, index) => new HeraldProcess(options, this.jwtSecret, index, serving),
    );
    this.pushInstance = pushInstance
      ? new HeraldProcess(options, this.jwtSecret, count, {
          env: { PROCESS_QUEUES: 'push' },
          background: true,
          log: 'server-push.log',
        })
      : undefined;
  }

  private get all(): HeraldProcess[] {
    return this.pushInstance ? [...this.instances, this.pushInstance] : this.instances;
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
    const [first, ...others] = this.all;
    await first.start();
    await Promise.all(others.map((instance) => instance.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((instance) => instance.stop()));
  }

  async metrics(): Promise<MetricsSnapshot> {
    return MetricsSnapshot.merge(
      await Promise.all(this.all.map((instance) => instance.metrics())),
      ['herald_queue_jobs', 'nodejs_eventloop_lag_max_seconds'],
    );
  }

  /** CPU seconds of the instances clients use (not the push instance). */
  cpuSeconds(): number {
    return this.instances.reduce((total, instance) => total + instance.cpuSeconds(), 0);
  }

  pushInstanceCpuSeconds(): number {
    return this.pushInstance?.cpuSeconds() ?? 0;
  }

  postgresBackends(): Promise<number[]> {
    return this.instances[0].postgresBackends();
  }

  query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.instances[0].query<T>(sql, params);
  }
}

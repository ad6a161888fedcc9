/**
 * The orchestrator's side of the WebSocket load generator: several worker processes
 * (client-worker.ts), each holding a contiguous share of the users, so that no single event loop
 * has to hold 10,000 sockets and the clients' own CPU is spread like a real population's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type {
  ConnectResult,
  ResumeResult,
  StatsResult,
  TakeResult,
  WorkerCommand,
  WorkerResponse,
} from './fleet-protocol';

export const USER_PREFIX = 'bench-user-';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (response: WorkerResponse) => {
      const waiter = this.pending.get(response.id);
      if (!waiter) return;
      this.pending.delete(response.id);
      if (response.ok) waiter.resolve(response.result);
      else waiter.reject(new Error(response.error));
    });
    child.once('exit', (code) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`worker exited (${code})`));
      this.pending.clear();
    });
  }

  call<T>(command: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }
}

export interface FleetConnectResult {
  opened: number;
  failed: number;
  errors: string[];
  durationMs: number;
  openMs: number[];
  readyMs: number[];
}

export class ClientFleet {
  private readonly workers: WorkerHandle[];

  constructor(count: number) {
    this.workers = Array.from(
      { length: count },
      () =>
        new WorkerHandle(
          fork(join(__dirname, 'client-worker.ts'), [], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          }),
        ),
    );
  }

  /**
   * Connects users 0 … users-1 (one socket each), `concurrency` handshakes in flight in all;
   * worker w connects its users to instance w mod instances.
   */
  async connect(
    options: { wsUrls: string[]; origin: string; jwtSecret: string },
    users: number,
    concurrency: number,
  ): Promise<FleetConnectResult> {
    const share = Math.ceil(users / this.workers.length);
    const perWorker = Math.max(1, Math.ceil(concurrency / this.workers.length));
    const results = await Promise.all(
      this.workers.map((worker, w) =>
        worker.call<ConnectResult>({
          cmd: 'connect',
          wsUrl: options.wsUrls[w % options.wsUrls.length],
          origin: options.origin,
          jwtSecret: options.jwtSecret,
          prefix: USER_PREFIX,
          from: Math.min(users, w * share),
          to: Math.min(users, (w + 1) * share),
          concurrency: perWorker,
        }),
      ),
    );
    const started = Math.min(...results.map((r) => r.startedAt));
    const lastReady = Math.max(...results.map((r) => r.lastReadyAt));
    return {
      opened: sum(results.map((r) => r.opened)),
      failed: sum(results.map((r) => r.failed)),
      errors: results.flatMap((r) => r.errors).slice(0, 5),
      durationMs: lastReady - started,
      openMs: results.flatMap((r) => r.openMs),
      readyMs: results.flatMap((r) => r.readyMs),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.call({ cmd: 'close' })));
  }

  /** Every notification frame received since the previous take, as [index, receivedAt] pairs. */
  async take(): Promise<TakeResult> {
    const results = await Promise.all(
      this.workers.map((worker) => worker.call<TakeResult>({ cmd: 'take' })),
    );
    return {
      received: results.flatMap((r) => r.received),
      foreign: sum(results.map((r) => r.foreign)),
      outOfOrder: sum(results.map((r) => r.outOfOrder)),
      frames: sum(results.map((r) => r.frames)),
      duplicates: sum(results.map((r) => r.duplicates)),
    };
  }

  resume(expected: number): Promise<ResumeResult[]> {
    return Promise.all(
      this.workers.map((worker) => worker.call<ResumeResult>({ cmd: 'resume', expected })),
    );
  }

  /** Client CPU seconds in total and the busiest worker's event-loop utilization since last. */
  async stats(): Promise<{ cpuSeconds: number; maxUtilization: number; rssBytes: number }> {
    const results = await Promise.all(
      this.workers.map((worker) => worker.call<StatsResult>({ cmd: 'stats' })),
    );
    return {
      cpuSeconds: sum(results.map((r) => r.cpuSeconds)),
      maxUtilization: Math.max(...results.map((r) => r.utilization)),
      rssBytes: sum(results.map((r) => r.rssBytes)),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.child.exitCode !== null) return resolve();
            worker.child.once('exit', () => resolve());
            worker.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

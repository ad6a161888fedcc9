/**
 * Web Push requests off the main thread: a Piscina pool running push-send.worker (encryption,
 * VAPID, the HTTPS request). The event loop that writes socket frames stays free while a
 * fanout's pushes go out. The pool starts on the first push, so an instance without Web Push,
 * or one that never pushes, has no threads.
 */
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { PushSendSetup, SendResult, SendTask } from './push-send.worker';

/** Threads: one core is left to the event loop, and two at most (a send is mostly waiting). */
const THREADS = Math.max(1, Math.min(2, availableParallelism() - 1));
/**
 * Sends a thread has in flight: a send is mostly waiting for the push service's answer, so a
 * thread running one at a time would push at one round trip per push. (64: the most the push
 * processor has in flight, QUEUE_CONCURRENCY 8 × 8 per job, and the agent's socket limit.)
 */
const SENDS_PER_THREAD = 64;
/**
 * The push threads run at a lower priority than the event loop (nice +10, through Piscina's
 * optional @napi-rs/nice; without it they run at the process's): a push may wait, a socket
 * frame should not, and on a busy machine the threads would otherwise take the event loop's
 * CPU.
 */
const NICE_INCREMENT = 10;
/** The worker's own files: .js from the build, .ts under the test runner (type stripping). */
const EXT = extname(__filename);

@Injectable()
export class PushSendPool implements OnModuleDestroy {
  private pool: Piscina<SendTask, SendResult> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  send(task: SendTask): Promise<SendResult> {
    if (!this.pool) {
      const { allowPrivateHosts, extraCa, timeoutMs } = this.config.webPush;
      const setup: PushSendSetup = {
        allowPrivateHosts,
        extraCa,
        timeoutMs,
        policyModule: join(__dirname, `endpoint-policy${EXT}`),
      };
      this.pool = new Piscina({
        filename: join(__dirname, `push-send.worker${EXT}`),
        workerData: setup,
        minThreads: 1,
        maxThreads: THREADS,
        concurrentTasksPerWorker: SENDS_PER_THREAD,
        niceIncrement: NICE_INCREMENT,
      });
    }
    return this.pool.run(task);
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

/**
 * Web Push encryption off the main thread: a Piscina pool running push-encryption.worker. The
 * event loop that writes socket frames stays free while a fanout's pushes are encrypted (about
 * 0.3 ms of CPU each). The pool starts on the first push, so an instance without Web Push, or
 * one that never pushes, has no threads.
 */
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import type { EncryptTask, EncryptedPush } from './push-encryption.worker';

/** Threads: one core is left to the event loop; more than two buys nothing at push rates. */
const THREADS = Math.max(1, Math.min(2, availableParallelism() - 1));

@Injectable()
export class PushEncryption implements OnModuleDestroy {
  private pool: Piscina<EncryptTask, EncryptedPush> | null = null;

  encrypt(task: EncryptTask): Promise<EncryptedPush> {
    this.pool ??= new Piscina({
      // The worker's own file: .js from the build, .ts under the test runner (type stripping).
      filename: join(__dirname, `push-encryption.worker${extname(__filename)}`),
      minThreads: 1,
      maxThreads: THREADS,
    });
    return this.pool.run(task);
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

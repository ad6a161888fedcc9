/**
 * Group commit for publishes. Publishes accepted in the same turn of the event loop go to Bull
 * as one `publish-batch` job (one Redis round trip), and the processor stores each batch in one
 * transaction, so under load the per-publish cost of the queue and of Postgres is shared by
 * every publish in the batch. Each REST call still answers only once the job holding its
 * publish is in Redis ("durably queued"), and each publish keeps its own id: idempotency is
 * the `publications` claim in Postgres, per publish, not Bull's job id.
 *
 * No latency is added when the service is quiet: a publish arriving more than
 * PUBLISH_BATCH_LINGER_MS after the last flush is flushed at `setImmediate`, i.e. as soon as
 * the requests that arrived with it have been parsed. Under load, flushes are at least the
 * linger apart (Kafka's `linger.ms`), and while a batch is on its way to Redis the next one
 * keeps growing: batches get larger exactly when load is high, and each publish waits at most
 * the linger (plus one Redis round trip). A job, a statement and a bus message cost about the
 * same for 1 publish as for 20, so this is what keeps CPU per publish down at moderate rates
 * (bench/RESULTS.md). Written here because Bull has no producer-side batching (`addBulk` still
 * makes one job per item).
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { BatchedPublish } from './notifications.jobs';
import { NotificationsQueue } from './notifications.queue';

/** Batches on their way to Redis at once; more publishes wait for the next batch. */
const MAX_ADDS_IN_FLIGHT = 1;
/** Recipients in one batch (a topic counts as its subscribers): bounds one job's rows and payload. */
const MAX_BATCH_RECIPIENTS = 10_000;

interface Pending {
  items: BatchedPublish[];
  recipients: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

@Injectable()
export class PublishBatcher implements OnModuleDestroy {
  private readonly logger = new Logger(PublishBatcher.name);
  private readonly maxItems: number;
  private pending: Pending | null = null;
  private readonly lingerMs: number;
  private flushTimer: { cancel(): void } | null = null;
  private lastFlushAt = -Infinity;
  private inFlight = 0;

  constructor(
    private readonly queue: NotificationsQueue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxItems = config.queue.publishBatchMax;
    this.lingerMs = config.queue.publishBatchLingerMs;
  }

  /** Resolves once the batch holding `item` is queued; rejects as that add did (e.g. 503). */
  add(item: BatchedPublish, topicSize = 1): Promise<void> {
    const size = 'userIds' in item.target ? item.target.userIds.length : topicSize;
    if (this.pending && this.pending.recipients + size > MAX_BATCH_RECIPIENTS) this.flush();
    const batch = (this.pending ??= { items: [], recipients: 0, waiters: [] });
    batch.items.push(item);
    batch.recipients += size;
    const queued = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.items.length >= this.maxItems) this.flush();
    else this.schedule();
    return queued;
  }

  /** Publishes still waiting for their batch are sent now, while the queue is still open. */
  onModuleDestroy(): void {
    if (this.pending) this.flush();
  }

  private schedule(): void {
    if (this.flushTimer || this.inFlight >= MAX_ADDS_IN_FLIGHT) return;
    const run = () => {
      this.flushTimer = null;
      if (this.pending && this.inFlight < MAX_ADDS_IN_FLIGHT) this.flush();
    };
    const wait = this.lastFlushAt + this.lingerMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(run, wait);
      this.flushTimer = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(run);
      this.flushTimer = { cancel: () => clearImmediate(immediate) };
    }
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch) return;
    this.flushTimer?.cancel();
    this.flushTimer = null;
    this.pending = null;
    this.lastFlushAt = performance.now();
    this.inFlight += 1;
    this.queue
      .add('publish-batch', { items: batch.items }, `batch-${randomUUID()}`)
      .then(
        () => {
          for (const waiter of batch.waiters) waiter.resolve();
        },
        (error: unknown) => {
          this.logger.warn(
            `a batch of ${batch.items.length} publish(es) was not queued: ${(error as Error).message}`,
          );
          for (const waiter of batch.waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.inFlight -= 1;
        if (this.pending) this.schedule();
      });
  }
}

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
 *
 * No publish waits longer than PUBLISH_ACCEPT_TIMEOUT_MS (< 1 s) for its answer: each batch has
 * that deadline from the moment it opens. A batch past it that was never sent is dropped (its
 * publishes answer 503 and are never stored); one whose add is on its way answers 503 too, but
 * Redis may still take the job, and then it is stored and delivered. A caller retrying with the
 * same idempotencyKey gets the same publication, so that is harmless; without a key the retry is
 * a second publication: a 503 for a publish without a key means "maybe" (README, Guarantees).
 * Every publish here is counted in the PublishBacklog until its batch is queued or dropped.
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { BatchedPublish } from './notifications.jobs';
import { NotificationsQueue } from './notifications.queue';
import { PublishBacklog } from './publish-backlog';
import { RetryLaterException } from './retry-later.exception';

/** Batches on their way to Redis at once; more publishes wait for the next batch. */
const MAX_ADDS_IN_FLIGHT = 1;
/** Recipients in one batch (a topic counts as its subscribers): bounds one job's rows and payload. */
const MAX_BATCH_RECIPIENTS = 10_000;

interface Pending {
  items: BatchedPublish[];
  recipients: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  /** The accept deadline (see the file comment); cleared once the add settles. */
  deadline: NodeJS.Timeout;
  /** The waiters have their answer (from the add or from the deadline, whichever came first). */
  answered: boolean;
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
  private readonly acceptTimeoutMs: number;

  constructor(
    private readonly queue: NotificationsQueue,
    private readonly backlog: PublishBacklog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxItems = config.queue.publishBatchMax;
    this.lingerMs = config.queue.publishBatchLingerMs;
    this.acceptTimeoutMs = config.queue.publishAcceptTimeoutMs;
  }

  /** Resolves once the batch holding `item` is queued; rejects as that add did (e.g. 503). */
  add(item: BatchedPublish, topicSize = 1): Promise<void> {
    return this.addAll([item], [topicSize]);
  }

  /**
   * Puts the items, in order, in one batch (so one job: they are stored in this order, and
   * queued or refused together); `topicSizes[k]` is item k's recipient count when it names a
   * topic. A batch already open that cannot take them all is sent first. Resolves once that
   * batch is queued; rejects as its add did (e.g. 503).
   */
  addAll(items: readonly BatchedPublish[], topicSizes: readonly number[]): Promise<void> {
    const size = items.reduce(
      (n, item, k) => n + ('userIds' in item.target ? item.target.userIds.length : topicSizes[k]),
      0,
    );
    const open = this.pending;
    if (
      open &&
      (open.recipients + size > MAX_BATCH_RECIPIENTS ||
        open.items.length + items.length > this.maxItems)
    ) {
      this.flush();
    }
    const batch = (this.pending ??= this.open());
    batch.items.push(...items);
    this.backlog.entered(items.length);
    batch.recipients += size;
    const queued = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    // A request larger than PUBLISH_BATCH_MAX still goes as one batch (at most 100 publishes).
    if (batch.items.length >= this.maxItems) this.flush();
    else this.schedule();
    return queued;
  }

  /** Publishes still waiting for their batch are sent now, while the queue is still open. */
  onModuleDestroy(): void {
    if (this.pending) this.flush();
  }

  private open(): Pending {
    const batch: Pending = {
      items: [],
      recipients: 0,
      waiters: [],
      deadline: setTimeout(() => this.expire(batch), this.acceptTimeoutMs),
      answered: false,
    };
    return batch;
  }

  /** The deadline passed before Redis took the batch: 503 for each of its publishes. */
  private expire(batch: Pending): void {
    if (batch.answered) return;
    const refuse = () =>
      this.answer(
        batch,
        new RetryLaterException(
          'the queue did not take the publish in time, retry later',
          'timeout',
        ),
      );
    if (this.pending === batch) {
      this.pending = null; // never sent: nothing of it will be stored
      this.backlog.left(batch.items.length, false);
      refuse();
    } else {
      // Timers run before I/O in a turn of the loop: after a stall, Redis's answer may already
      // be waiting in the socket. setImmediate runs after I/O, so that answer wins if it came.
      setImmediate(refuse);
    }
  }

  private answer(batch: Pending, error?: unknown): void {
    if (batch.answered) return;
    batch.answered = true;
    for (const waiter of batch.waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
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
          this.backlog.left(batch.items.length, true);
          if (batch.answered) {
            this.logger.warn(
              `a batch of ${batch.items.length} publish(es) answered 503 (timeout) was queued ` +
                'after all: it will be stored',
            );
          }
          this.answer(batch);
        },
        (error: unknown) => {
          this.backlog.left(batch.items.length, false);
          this.logger.warn(
            `a batch of ${batch.items.length} publish(es) was not queued: ${(error as Error).message}`,
          );
          this.answer(batch, error);
        },
      )
      .finally(() => {
        clearTimeout(batch.deadline);
        this.inFlight -= 1;
        if (this.pending) this.schedule();
      });
  }
}

/**
 * Load shedding for publishes. The backlog is every publish accepted, or being accepted, but not
 * yet stored; while it is at PUBLISH_BACKLOG_MAX, publish and batch answer 503 + Retry-After at
 * once (`admit`), so that what is answered 202 is stored within a bounded queue wait and callers
 * are told to come back instead of being held.
 *
 * Counting costs no Redis call per request:
 * - `inBatcher`: publishes of this process still in the PublishBatcher (not yet in Redis), exact;
 * - `queuedJobs × publishesPerJob`: jobs in Redis from every instance (waiting, paused, active,
 *   delayed for a retry), sampled with one MULTI at most every SAMPLE_MS, started by a request
 *   but never awaited by it; jobs are batches, so they are converted to publishes with the mean
 *   size of this process's recent batch jobs (an estimate: other instances' batches may differ);
 * - `queuedSinceSample`: publishes this process queued since the last sample began, so a burst
 *   counts before the next sample sees it.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { Counter, Gauge } from 'prom-client';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTimeout } from '../queues/with-timeout';
import { MetricsService } from '../metrics/metrics.service';
import { NOTIFICATIONS_QUEUE } from './notifications.jobs';
import { RetryLaterException, type ShedReason } from './retry-later.exception';

const SAMPLE_MS = 100;
/** While shedding, one warn line at most this often sums up what was shed. */
const SHED_LOG_EVERY_MS = 10_000;
/** Weight of the newest batch job in the mean publishes per job. */
const ALPHA = 0.2;

@Injectable()
export class PublishBacklog {
  private readonly logger = new Logger(PublishBacklog.name);
  private readonly max: number;
  private readonly sampleTimeoutMs: number;
  private inBatcher = 0;
  private queuedSinceSample = 0;
  private queuedJobs = 0;
  private publishesPerJob = 1;
  private sampledAt = -Infinity;
  private sampling = false;
  private readonly shed: Counter<'reason'>;
  private shedSinceLog: Partial<Record<ShedReason, number>> = {};
  private shedLoggedAt = -Infinity;

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.max = config.queue.publishBacklogMax;
    this.sampleTimeoutMs = config.redis.commandTimeoutMs;
    const registers = [metrics.registry];
    this.shed = new Counter({
      name: 'herald_publish_shed_total',
      help:
        'Publish requests answered 503 + Retry-After: backlog (PUBLISH_BACKLOG_MAX reached), ' +
        'timeout (not queued within PUBLISH_ACCEPT_TIMEOUT_MS), unavailable (queue down).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['backlog', 'timeout', 'unavailable'] as const)
      this.shed.inc({ reason }, 0);
    const backlog = () => this.size;
    new Gauge({
      name: 'herald_publish_backlog',
      help: 'Publishes accepted but not yet stored, as this instance counts them for shedding.',
      registers,
      collect() {
        this.set(backlog());
      },
    });
  }

  /** Publishes not yet stored, as far as this instance knows (see the file comment). */
  get size(): number {
    return (
      this.inBatcher + this.queuedSinceSample + Math.round(this.queuedJobs * this.publishesPerJob)
    );
  }

  /**
   * Throws 503 + Retry-After while the backlog is at its bound. A request below it is admitted
   * whole (a batch may overshoot the bound by its own size), so no request is too big to pass.
   */
  admit(): void {
    this.refresh();
    if (this.size >= this.max) {
      throw new RetryLaterException(
        'too many publishes are waiting to be stored, retry later',
        'backlog',
      );
    }
  }

  /** Counts a publish request answered 503 + Retry-After, and logs a summary now and then. */
  recordShed(reason: ShedReason): void {
    this.shed.inc({ reason });
    this.shedSinceLog[reason] = (this.shedSinceLog[reason] ?? 0) + 1;
    const now = performance.now();
    if (now - this.shedLoggedAt < SHED_LOG_EVERY_MS) return;
    const counts = Object.entries(this.shedSinceLog)
      .map(([why, count]) => `${count} ${why}`)
      .join(', ');
    const since = Number.isFinite(this.shedLoggedAt)
      ? `in the last ${Math.round((now - this.shedLoggedAt) / 1000)} s`
      : 'starting';
    this.logger.warn(
      `shedding publishes (503 + Retry-After) ${since}: ${counts}; backlog ${this.size} of ${this.max}`,
    );
    this.shedSinceLog = {};
    this.shedLoggedAt = now;
  }

  /** `count` publishes entered the batcher. */
  entered(count: number): void {
    this.inBatcher += count;
  }

  /** `count` publishes left the batcher, in one batch job now in Redis (`queued`) or not. */
  left(count: number, queued: boolean): void {
    this.inBatcher -= count;
    if (!queued) return;
    this.queuedSinceSample += count;
    this.publishesPerJob += ALPHA * (count - this.publishesPerJob);
  }

  private refresh(): void {
    if (this.sampling || performance.now() - this.sampledAt < SAMPLE_MS) return;
    if (this.queue.client.status !== 'ready') return; // publishing answers 503 anyway
    this.sampling = true;
    // The sample sees every job queued before it starts; those are no longer counted apart.
    const counted = this.queuedSinceSample;
    // One MULTI of four counts (not getJobCounts, which also counts completed and failed).
    const queued = this.queue.getJobCountByTypes(['waiting', 'paused', 'active', 'delayed']);
    withTimeout(queued, this.sampleTimeoutMs)
      .then(
        (jobs) => {
          this.queuedJobs = jobs;
          this.queuedSinceSample -= counted;
        },
        (error: unknown) =>
          this.logger.warn(`queue counts unavailable: ${(error as Error).message}`),
      )
      .finally(() => {
        this.sampling = false;
        this.sampledAt = performance.now();
      });
  }
}

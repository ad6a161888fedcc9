/** The one producer for the push queue: job ids, retries, backoff and retention. */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { retriedJobOptions } from '../queues/job-options';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PUSH_QUEUE, type PushBatchJobData, type PushDecideJobData } from './push.jobs';

@Injectable()
export class PushQueue {
  constructor(
    @InjectQueue(PUSH_QUEUE) readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The whole attempt budget of one push: Bull's retries of a job, and its follow-ups. */
  get attempts(): number {
    return this.config.queue.attempts;
  }

  /** Jobs whose id is already queued (a retried publish or decision) are not added twice. */
  async addBatches(batches: PushBatchJobData[]): Promise<void> {
    await this.addAll('push-batch', batches);
  }

  async addDecisions(decisions: PushDecideJobData[]): Promise<void> {
    await this.addAll('push-decide', decisions);
  }

  private async addAll(name: string, jobs: { key: string }[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((data) => ({ name, data, opts: retriedJobOptions(this.config, data.key) })),
    );
  }

  /** What is left of a batch, after `delayMs`. */
  async addFollowUp(data: PushBatchJobData, delayMs: number): Promise<void> {
    await this.queue.add(
      'push-batch',
      data,
      retriedJobOptions(this.config, `${data.key}:${data.attempt}`, delayMs),
    );
  }

  /**
   * How long a push claim lives (PushProcessor.claim): past the last automatic retry of every
   * job that could push the same notification again — its publish job, its decision, a batch's
   * follow-ups — with an hour to spare, at most 7 days (about 1.6 h with the defaults). A claim
   * is one Redis key per push, so this bounds their memory to about pushes/s × TTL keys. A job
   * retried by hand after that may push again; the service worker shows it in place of the
   * first (its tag is the notification id), and `Topic` collapses it if still queued.
   */
  get claimTtlSeconds(): number {
    return claimTtlSeconds(this.config.queue.attempts, this.config.queue.backoffMs);
  }

  /** Exponential backoff with jitter for the next follow-up, capped at an hour. */
  backoffMs(attempt: number): number {
    const base = this.config.queue.backoffMs * 2 ** Math.min(attempt, 20);
    return Math.min(base * (0.8 + Math.random() * 0.4), FOLLOW_UP_MAX_MS);
  }
}

const FOLLOW_UP_MAX_MS = 3_600_000;
const CLAIM_TTL_MAX_S = 7 * 24 * 3600;

/** See PushQueue.claimTtlSeconds. */
export function claimTtlSeconds(attempts: number, backoffMs: number): number {
  // Bull's exponential retries of one job: backoff × (1 + 2 + … + 2^(attempts-2)).
  const retriesMs = backoffMs * (2 ** Math.min(attempts - 1, 40) - 1);
  let followUpsMs = 0;
  for (let k = 0; k < attempts; k++) {
    followUpsMs += Math.min(backoffMs * 2 ** Math.min(k, 20) * 1.2, FOLLOW_UP_MAX_MS);
  }
  // A publish job's retries, then its decision's, then the follow-ups of a batch.
  const horizonS = (2 * retriesMs + followUpsMs) / 1000 + 3600;
  return Math.ceil(Math.min(horizonS, CLAIM_TTL_MAX_S));
}

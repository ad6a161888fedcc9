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

  /** Exponential backoff with jitter for the next follow-up, capped at an hour. */
  backoffMs(attempt: number): number {
    const base = this.config.queue.backoffMs * 2 ** Math.min(attempt, 20);
    return Math.min(base * (0.8 + Math.random() * 0.4), 3_600_000);
  }
}

/**
 * The one producer for the tasks queue. Knows Bull's options (job ids, retries, backoff,
 * retention, delays) so nothing else does.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { retriedJobOptions } from '../queues/job-options';
import { assertQueueReady, withQueueTimeout } from '../queues/queue-calls';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TASKS_QUEUE, type TaskJobName, type TaskJobs } from './tasks.jobs';

@Injectable()
export class TasksQueue {
  private readonly logger = new Logger(TasksQueue.name);

  constructor(
    @InjectQueue(TASKS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Adds the job unless a job with this id is still in Redis (Bull then keeps the existing one).
   * `delayMs` makes it a delayed job: it lives in Redis, so it survives a restart.
   */
  async add<N extends TaskJobName>(
    name: N,
    data: TaskJobs[N],
    jobId: string,
    delayMs = 0,
  ): Promise<void> {
    assertQueueReady(this.queue);
    await this.redisCall(
      this.queue.add(name, data, retriedJobOptions(this.config, jobId, delayMs)),
    );
  }

  /** Resolves once the queue's Redis connection is up. */
  async whenReady(): Promise<void> {
    await this.queue.isReady();
  }

  /** Whether a job with this id is in Redis in any state (waiting, delayed, done, failed). */
  async exists(jobId: string): Promise<boolean> {
    assertQueueReady(this.queue);
    return (await this.redisCall(this.queue.getJob(jobId))) !== null;
  }

  /**
   * Removes the job if it has not run yet. A job that is running or finished stays: a reminder
   * that is firing right now reads the task as it is, so it does the right thing anyway.
   */
  async cancel(jobId: string): Promise<void> {
    assertQueueReady(this.queue);
    const job = await this.redisCall(this.queue.getJob(jobId));
    if (!job) return;
    const state = await this.redisCall(job.getState());
    if (state !== 'delayed' && state !== 'waiting' && state !== 'paused') return;
    try {
      await this.redisCall(job.remove());
    } catch (error) {
      // Taken by a worker between getState and remove.
      this.logger.debug(`job ${jobId} not removed: ${(error as Error).message}`);
    }
  }

  /** A Bull call bounded by REDIS_COMMAND_TIMEOUT_MS (503 past it). */
  private redisCall<T>(promise: Promise<T>): Promise<T> {
    return withQueueTimeout(promise, this.config.redis.commandTimeoutMs);
  }
}

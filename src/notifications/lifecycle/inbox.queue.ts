/**
 * The one producer for the inbox queue: delayed snooze wake-ups (they live in Redis, so they
 * survive a restart) and the repeatable maintenance job. Knows Bull's options so nothing else
 * does.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { retriedJobOptions } from '../../queues/job-options';
import { assertQueueReady, withQueueTimeout } from '../../queues/queue-calls';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { INBOX_QUEUE, MAINTENANCE_JOB_ID, snoozeJobId, type SnoozeWakeJob } from './inbox.jobs';

@Injectable()
export class InboxQueue {
  private readonly logger = new Logger(InboxQueue.name);

  constructor(
    @InjectQueue(INBOX_QUEUE) readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Schedules the wake-up of a snooze at `until`. A finished job of the same id (the same
   * notification snoozed to the same time before) is removed first, else Bull would keep it
   * and add nothing.
   */
  async scheduleWake(job: SnoozeWakeJob): Promise<void> {
    assertQueueReady(this.queue);
    const untilMs = Date.parse(job.until);
    const jobId = snoozeJobId(job.notificationId, untilMs);
    const existing = await this.redisCall(this.queue.getJob(jobId));
    if (existing) {
      const state = await this.redisCall(existing.getState());
      if (state === 'delayed' || state === 'waiting') return;
      await this.redisCall(existing.remove()).catch(() => undefined);
    }
    await this.redisCall(
      this.queue.add(
        'snooze.wake',
        job,
        retriedJobOptions(this.config, jobId, untilMs - Date.now()),
      ),
    );
  }

  /**
   * Removes a wake-up that has not run. One running or done stays: the wake-up compares the
   * row's snooze time with its own, so a stale one changes nothing.
   */
  async cancelWake(notificationId: string, untilMs: number): Promise<void> {
    try {
      assertQueueReady(this.queue);
      const job = await this.redisCall(this.queue.getJob(snoozeJobId(notificationId, untilMs)));
      if (!job) return;
      const state = await this.redisCall(job.getState());
      if (state === 'delayed' || state === 'waiting') await this.redisCall(job.remove());
    } catch (error) {
      this.logger.debug(`wake-up not cancelled: ${(error as Error).message}`);
    }
  }

  /** The repeatable maintenance job; every instance adds it, Bull keeps one schedule. */
  async scheduleMaintenance(everyMs: number): Promise<void> {
    await this.queue.add(
      'maintenance',
      {},
      {
        jobId: MAINTENANCE_JOB_ID,
        repeat: { every: everyMs },
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
  }

  /** A Bull call bounded by REDIS_COMMAND_TIMEOUT_MS (503 past it). */
  private redisCall<T>(promise: Promise<T>): Promise<T> {
    return withQueueTimeout(promise, this.config.redis.commandTimeoutMs);
  }
}

/**
 * The options of every retried Bull job, for the queues' producers (NotificationsQueue,
 * InboxQueue, TasksQueue, PushQueue): Bull dedupes by `jobId`, a failure is retried with
 * exponential backoff (JOB_ATTEMPTS, JOB_BACKOFF_MS), and a job that failed every attempt is
 * kept for inspection (the admin board) until someone removes it.
 */
import type { JobOptions } from 'bull';
import type { AppConfig } from '../config/app-config';

/** Completed jobs are kept a day (at most 10,000): a repeat of an id within it is not added. */
const COMPLETED_KEPT = { age: 24 * 3600, count: 10000 };

export function retriedJobOptions(config: AppConfig, jobId: string, delayMs?: number): JobOptions {
  return {
    jobId,
    ...(delayMs === undefined ? {} : { delay: Math.max(0, delayMs) }),
    attempts: config.queue.attempts,
    backoff: { type: 'exponential', delay: config.queue.backoffMs },
    removeOnComplete: COMPLETED_KEPT,
    removeOnFail: false,
  };
}

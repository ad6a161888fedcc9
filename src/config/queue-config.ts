/** Background work: the Bull queues, publish batching and load shedding, retention. */
import { z } from 'zod';
import { commaList, fromEnv, int } from './env-schema';

/** Herald's Bull queues (each feature declares its own name; queue-config.spec checks them). */
export const QUEUE_NAMES = ['notifications', 'tasks', 'inbox', 'push'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Some of QUEUE_NAMES, comma-separated; all of them when unset. */
const queueList = commaList
  .pipe(z.array(z.enum(QUEUE_NAMES)).min(1).optional())
  .transform((names): readonly QueueName[] => [...new Set(names ?? QUEUE_NAMES)]);

export const queueVariables = {
  queue: {
    /** Jobs processed in parallel per instance and queue. */
    concurrency: fromEnv('QUEUE_CONCURRENCY', int(8, 1, 256)),
    /**
     * The queues whose jobs this instance runs (all by default). Every instance still queues
     * jobs of every kind; some instance must run each queue. E.g. `push` alone on instances
     * that only send Web Push, and `notifications,tasks,inbox` on the ones serving clients, so
     * that encrypting and sending pushes never takes the CPU of a process writing socket frames.
     */
    processed: fromEnv('PROCESS_QUEUES', queueList),
    /** Tries per job, with exponential backoff from `backoffMs`; failed jobs are kept. */
    attempts: fromEnv('JOB_ATTEMPTS', int(10, 1, 100)),
    backoffMs: fromEnv('JOB_BACKOFF_MS', int(1000, 10, 600000)),
    /**
     * How long a worker's claim on a job lasts without renewal. A job whose worker died (or
     * whose hand-off was cut by a shutdown) is run again by another worker after about this long.
     */
    lockMs: fromEnv('QUEUE_LOCK_MS', int(10000, 500, 600000)),
    /** Most publishes in one batch job (one transaction); 1 turns batching off. */
    publishBatchMax: fromEnv('PUBLISH_BATCH_MAX', int(256, 1, 5000)),
    /** Under load, flushes of the publish batch are at least this far apart (0: every turn). */
    publishBatchLingerMs: fromEnv('PUBLISH_BATCH_LINGER_MS', int(5, 0, 1000)),
    /** Load shedding (PublishBacklog): publishes accepted but not yet stored, all instances,
     *  past which publishing answers 503. */
    publishBacklogMax: fromEnv('PUBLISH_BACKLOG_MAX', int(5000, 1, 1_000_000)),
    /** A publish not durably queued this soon answers 503 (under a second: nobody waits longer). */
    publishAcceptTimeoutMs: fromEnv('PUBLISH_ACCEPT_TIMEOUT_MS', int(500, 10, 1000)),
  },
  retention: {
    /** Notifications older than this are deleted; idempotency keys are honoured as long. */
    days: fromEnv('NOTIFICATION_RETENTION_DAYS', int(90, 1, 36500)),
    /** How often the retention (and lost-snooze) job runs. */
    intervalMs: fromEnv('RETENTION_INTERVAL_MS', int(60_000, 100, 86_400_000)),
    /** The most rows one of its statements deletes. */
    batchSize: fromEnv('RETENTION_BATCH_SIZE', int(1000, 1, 100_000)),
  },
};

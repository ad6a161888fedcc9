/** Data and probes shared by the publish-batching suites (group commit, parts, failures). */
import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import type { Client } from 'pg';
import type { Principal } from '../src/auth/principal';
import type { PublicationInput } from '../src/notifications/notification-store';
import {
  NOTIFICATIONS_QUEUE,
  type BatchedPublish,
  type PublishBatchJobData,
} from '../src/notifications/notifications.jobs';
import type { TestHerald } from './support/use-test-app';

export const publisher: Principal = {
  userId: 'batch-publisher',
  scopes: new Set(['notifications:write']),
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
};

/** `n` user ids that sort in creation order. */
export const many = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

export const content = (title: string) => ({
  type: 'batch.test',
  title,
  body: '',
  data: { title },
  topic: null,
  publisher: 'p',
});

/** A publication to these users, for NotificationStore. */
export const toUsers = (publicationId: string, users: string[]): PublicationInput => ({
  publicationId,
  target: { userIds: users },
  content: content(publicationId),
});

/** A publish as a batch job carries it, for NotificationsProcessor.publishBatch. */
export const batched = (
  publicationId: string,
  fields: Partial<BatchedPublish> = {},
): BatchedPublish => ({
  publicationId,
  publisherId: 'p',
  target: { userIds: ['someone'] },
  type: 'batch.test',
  title: publicationId,
  body: '',
  data: {},
  acceptedAt: Date.now(),
  ...fields,
});

/** How many rows, and for how many users, a publication stored. */
export async function rowsOf(db: Client, jobId: string): Promise<{ n: number; users: number }> {
  const result = await db.query<{ n: number; users: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS users
     FROM notifications WHERE job_id = $1`,
    [jobId],
  );
  return result.rows[0];
}

export const notificationsQueue = (herald: TestHerald) =>
  herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));

/** The completed batch jobs that carried this publication (each run of it done). */
export async function completedJobsHolding(
  herald: TestHerald,
  publicationId: string,
): Promise<Job<PublishBatchJobData>[]> {
  const jobs = (await notificationsQueue(herald).getJobs(['completed'])) as Job<
    Partial<PublishBatchJobData>
  >[];
  return jobs.filter((job) =>
    job.data.items?.some((item) => item.publicationId === publicationId),
  ) as Job<PublishBatchJobData>[];
}

/** Every job the notifications queue holds or held (kept after completion, see job-options). */
export async function jobsAdded(herald: TestHerald): Promise<number> {
  const counts = await notificationsQueue(herald).getJobCounts();
  return counts.waiting + counts.active + counts.completed + counts.failed + counts.delayed;
}

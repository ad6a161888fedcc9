/**
 * The one producer for the notifications queue. Knows Bull's options (job ids, retries,
 * backoff, retention) so nothing else does.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { retriedJobOptions } from '../queues/job-options';
import { assertQueueReady, withQueueTimeout } from '../queues/queue-calls';
import { createHash, randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { NOTIFICATIONS_QUEUE, NotificationJobName, NotificationJobs } from './notifications.jobs';

@Injectable()
export class NotificationsQueue {
  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The id of a publish (the API's `jobId`; its `publications` row in Postgres). With an
   * idempotency key it is derived from (publisher, key), so the same key always names the same
   * publication, even days later. Publishes travel in batch jobs (PublishBatcher); this id, not
   * Bull's job id, is what makes storing one exactly-once.
   */
  static jobIdFor(publisherId: string, idempotencyKey?: string): string {
    if (!idempotencyKey) return `pub-${randomUUID()}`;
    const digest = createHash('sha256')
      .update(publisherId)
      .update('\0')
      .update(idempotencyKey)
      .digest('base64url');
    return `pubk-${digest}`;
  }

  async add<N extends NotificationJobName>(
    name: N,
    data: NotificationJobs[N],
    jobId: string,
  ): Promise<string> {
    assertQueueReady(this.queue);
    const job = await withQueueTimeout(
      this.queue.add(name, data, retriedJobOptions(this.config, jobId)),
      this.config.redis.commandTimeoutMs,
    );
    return String(job.id);
  }
}

/**
 * Runs publish jobs: resolves topic recipients, then hands the publishes to
 * NotificationDispatcher (store once, count, push). A failure anywhere rethrows the original
 * error so Bull retries with backoff; a retry stores nothing new and pushes the stored rows
 * again (sockets drop seqs they already have).
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import { processByName, type JobHandlers } from '../queues/process-by-name';
import { APP_CONFIG } from '../config/config.module';
import {
  NOTIFICATIONS_QUEUE,
  type NotificationJobs,
  type BatchedPublish,
  type PublishBatchJobData,
} from './notifications.jobs';
import { NotificationDispatcher, type Dispatch } from './notification-dispatcher';
import { NotificationStore } from './notification-store';
import { PARTS_ABOVE } from './publication-parts';
import { PublicationSnapshots } from './publication-snapshots';

@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotificationsProcessor.name);
  /** Exactly one handler per job name: the type makes a missing or extra one a compile error. */
  private readonly handlers: JobHandlers<NotificationJobs> = {
    publish: (job) => this.publishBatch([{ ...job.data, publicationId: String(job.id) }]),
    'publish-batch': (job: Job<PublishBatchJobData>) => this.publishBatch(job.data.items),
  };

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: NotificationStore,
    private readonly snapshots: PublicationSnapshots,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    processByName(this.queue, this.handlers, {
      concurrency: this.config.queue.concurrency,
      processed: this.config.queue.processed,
      logger: this.logger,
    });
  }

  /**
   * Resolves each topic publish's recipients, then stores and pushes the batch through the one
   * NotificationDispatcher.
   */
  async publishBatch(items: BatchedPublish[]): Promise<void> {
    const recipients = await this.resolveTopics(items);
    await this.dispatcher.dispatch(items.map((item) => toInput(item, recipients.get(item))));
  }

  /**
   * Gives every topic publish its recipients: the list an earlier run froze, else its current
   * subscribers (one query for all). A topic over PARTS_ABOVE is stored in parts, so its list
   * must be the same on a retry, whatever the topic has become meanwhile: it is frozen in
   * Postgres (PublicationSnapshots), not in the job. Items of jobs queued by earlier versions
   * may carry their frozen list (`recipients`); it is used as it is.
   */
  private async resolveTopics(items: BatchedPublish[]): Promise<Map<BatchedPublish, string[]>> {
    const resolved = new Map<BatchedPublish, string[]>();
    const open = items.filter((item) => 'topic' in item.target && !item.recipients);
    if (open.length === 0) return resolved;
    const [frozen, subscribers] = await Promise.all([
      this.snapshots.find(open.map((item) => item.publicationId)),
      this.store.subscribersOf(open.map((item) => toInput(item))),
    ]);
    for (const item of open) {
      if (!('topic' in item.target)) continue;
      const current = subscribers.get(item.target.topic) ?? [];
      const before = frozen.get(item.publicationId);
      resolved.set(
        item,
        before ??
          (current.length > PARTS_ABOVE
            ? await this.snapshots.freeze(item.publicationId, item.target.topic)
            : current),
      );
    }
    return resolved;
  }
}

function toInput(item: BatchedPublish, subscribers?: string[]): Dispatch {
  const { publicationId, publisherId, target, type, title, body, data, acceptedAt, critical } =
    item;
  const topic = 'topic' in target ? target.topic : null;
  return {
    publicationId,
    target,
    content: {
      type,
      title,
      body,
      data,
      topic,
      publisher: publisherId,
      critical: critical === true,
    },
    recipients: item.recipients ?? subscribers,
    acceptedAt,
  };
}

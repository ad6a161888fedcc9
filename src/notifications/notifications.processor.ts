/**
 * Runs publish jobs: store the rows (once, see NotificationStore), then push them to the
 * recipients' groups. A failure anywhere rethrows the original error so Bull retries with
 * backoff; a retry stores nothing new and pushes the stored rows again (sockets drop seqs they
 * already have). A batch (PublishBatcher) is stored in one statement; if Postgres rejects the
 * batch for what one publish holds, the publishes are stored one by one so that only the bad
 * one fails (and is retried, then kept as a failed job) while the rest are delivered. A large
 * publish is stored in parts, each pushed as soon as it commits (NotificationStore).
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import { processByName, type JobHandlers } from '../common/process-by-name';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import {
  NOTIFICATIONS_QUEUE,
  type NotificationJobs,
  type BatchedPublish,
  type PublishBatchJobData,
} from './notifications.jobs';
import { NotificationStore, PARTS_ABOVE, type PublicationInput } from './notification-store';
import type { StoredPublication } from './notification.types';

@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotificationsProcessor.name);
  /** Exactly one handler per job name: the type makes a missing or extra one a compile error. */
  private readonly handlers: JobHandlers<NotificationJobs> = {
    publish: (job) => this.publishBatch([{ ...job.data, publicationId: String(job.id) }]),
    'publish-batch': (job: Job<PublishBatchJobData>) =>
      this.publishBatch(job.data.items, (items) => job.update({ items })),
  };

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: NotificationStore,
    private readonly realtime: RealtimePublisher,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    processByName(this.queue, this.config.queue.concurrency, this.handlers);
    this.queue.on('failed', (job: Job, error: Error) =>
      this.logger.warn(
        `job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`,
      ),
    );
  }

  /**
   * Stores and pushes a batch, in order: runs of ordinary publishes in one statement each, a
   * large one in parts, each part pushed as soon as it is stored. `freeze` saves the batch into
   * its job: a large topic publish is stored in parts only once its subscriber list is saved, so
   * that a retry splits exactly the same list into exactly the same parts.
   */
  async publishBatch(
    items: BatchedPublish[],
    freeze?: (items: BatchedPublish[]) => Promise<unknown>,
  ): Promise<void> {
    const subscribers = await this.resolveTopics(items, freeze);
    // Parts are pushed while later parts are stored. Each push is given a handler at once: one
    // that fails while the job is still storing must fail the job, not the process (an
    // unhandled rejection).
    const pushes: Promise<void>[] = [];
    const acceptedAt = new Map(items.map((item) => [item.publicationId, item.acceptedAt]));
    const push = (part: StoredPublication, publicationId: string) => {
      this.recordStored(part, publicationId, acceptedAt);
      const pushed = this.deliver([part]);
      pushed.catch(() => undefined);
      pushes.push(pushed);
    };
    try {
      let run: PublicationInput[] = [];
      for (const item of items) {
        const input = toInput(item, subscribers.get(item));
        // In parts only with a list that a retry sees again: listed ids, or frozen subscribers.
        const listed = 'userIds' in item.target ? item.target.userIds : item.recipients;
        if (listed && listed.length > PARTS_ABOVE) {
          if (run.length) await this.publishRun(run, acceptedAt);
          run = [];
          await this.store.storeInParts(input, listed, (part) => push(part, item.publicationId));
        } else {
          run.push(input);
        }
      }
      if (run.length) await this.publishRun(run, acceptedAt);
    } finally {
      await Promise.allSettled(pushes);
    }
    await Promise.all(pushes);
  }

  /**
   * Gives every topic publish its current subscribers (`recipients`), one query for all. A
   * topic over PARTS_ABOVE is frozen into the job; without a job to freeze into (an old
   * `publish` job) it is resolved but not frozen, and so stored whole.
   */
  private async resolveTopics(
    items: BatchedPublish[],
    freeze?: (items: BatchedPublish[]) => Promise<unknown>,
  ): Promise<Map<BatchedPublish, string[]>> {
    const resolved = new Map<BatchedPublish, string[]>();
    const open = items.filter((item) => 'topic' in item.target && !item.recipients);
    if (open.length === 0) return resolved;
    const subscribers = await this.store.subscribersOf(open.map((item) => toInput(item)));
    for (const item of open) {
      if ('topic' in item.target) resolved.set(item, subscribers.get(item.target.topic) ?? []);
    }
    const large = [...resolved].filter(([, users]) => users.length > PARTS_ABOVE);
    if (large.length && freeze) {
      for (const [item, users] of large) item.recipients = users;
      await freeze(items);
    }
    return resolved;
  }

  private async publishRun(
    inputs: PublicationInput[],
    acceptedAt: ReadonlyMap<string, number>,
  ): Promise<void> {
    let stored: StoredPublication[];
    try {
      stored = await this.store.storeBatch(inputs);
      stored.forEach((one, k) => this.recordStored(one, inputs[k].publicationId, acceptedAt));
    } catch (error) {
      if (inputs.length === 1 || !isDataError(error)) throw error;
      this.logger.warn(
        `a batch of ${inputs.length} publishes was refused (${(error as Error).message}); ` +
          'storing them one by one',
      );
      return this.publishOneByOne(inputs, acceptedAt);
    }
    await this.deliver(stored);
  }

  private async publishOneByOne(
    inputs: PublicationInput[],
    acceptedAt: ReadonlyMap<string, number>,
  ): Promise<void> {
    let firstError: Error | null = null;
    const stored: StoredPublication[] = [];
    for (const input of inputs) {
      try {
        const [one] = await this.store.storeBatch([input]);
        this.recordStored(one, input.publicationId, acceptedAt);
        stored.push(one);
      } catch (error) {
        this.logger.warn(`publication ${input.publicationId}: ${(error as Error).message}`);
        firstError ??= error as Error;
      }
    }
    await this.deliver(stored);
    if (firstError) throw firstError;
  }

  /** The queue wait of a publish (or part) this run stored: accepted → stored. */
  private recordStored(
    stored: StoredPublication,
    publicationId: string,
    acceptedAt: ReadonlyMap<string, number>,
  ): void {
    const accepted = acceptedAt.get(publicationId);
    if (stored.created && accepted !== undefined) this.metrics.publicationStored(accepted);
  }

  private async deliver(stored: StoredPublication[]): Promise<void> {
    const created = stored.reduce((n, s) => n + (s.created ? s.recipients.length : 0), 0);
    if (created) this.metrics.notificationsPublished(created);
    await this.realtime.publishNotifications(stored);
  }
}

function toInput(item: BatchedPublish, subscribers?: string[]): PublicationInput {
  const { publicationId, publisherId, target, type, title, body, data, critical } = item;
  const topic = 'topic' in target ? target.topic : null;
  return {
    publicationId,
    publisherId,
    target,
    content: { type, title, body, data, topic, critical: critical === true },
    recipients: item.recipients ?? subscribers,
  };
}

/** Postgres refused the data (class 22 data exception, class 23 integrity violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Runs publish jobs: store the rows (once, see NotificationStore), then push them to the
 * recipients' groups. A failure anywhere rethrows the original error so Bull retries with
 * backoff; a retry stores nothing new and pushes the stored rows again (sockets drop seqs they
 * already have).
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { NotificationStore } from './notification-store';
import {
  NOTIFICATIONS_QUEUE,
  type NotificationJobName,
  type NotificationJobs,
  type PublishJobData,
} from './notifications.jobs';

type Handlers = { [N in NotificationJobName]: (job: Job<NotificationJobs[N]>) => Promise<void> };

@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotificationsProcessor.name);
  /** Exactly one handler per job name: the type makes a missing or extra one a compile error. */
  private readonly handlers: Handlers = { publish: (job) => this.publish(job) };

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: NotificationStore,
    private readonly realtime: RealtimePublisher,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    for (const name of Object.keys(this.handlers) as NotificationJobName[]) {
      void this.queue.process(name, this.config.queue.concurrency, this.handlers[name]);
    }
    this.queue.on('failed', (job: Job, error: Error) =>
      this.logger.warn(
        `job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`,
      ),
    );
  }

  async publish(job: Job<PublishJobData>): Promise<void> {
    const { publisherId, target, type, title, body, data } = job.data;
    const topic = 'topic' in target ? target.topic : null;
    const stored = await this.store.storePublication(String(job.id), publisherId, target, {
      type,
      title,
      body,
      data,
      topic,
    });
    if (stored.created) this.metrics.notificationsPublished(stored.recipients.length);
    await this.realtime.publishNotifications(stored);
    this.logger.debug(
      `job ${job.id}: ${stored.created ? 'stored' : 'already stored'} ` +
        `${stored.recipients.length} notification(s)`,
    );
  }
}

/**
 * Runs the inbox queue: snooze wake-ups at their time, and the repeatable maintenance job
 * (retention, then any snooze whose wake-up job was lost, e.g. Redis restarted without AOF).
 * Every step reads the rows as they are, so a job run twice, late or after a restart does the
 * right thing.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { processByName, type JobHandlers } from '../../queues/process-by-name';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { sqlRows } from '../../database/sql';
import { INBOX_QUEUE, type InboxJobs } from './inbox.jobs';
import { InboxLifecycleService } from './inbox-lifecycle.service';
import { InboxQueue } from './inbox.queue';
import { RetentionService } from './retention.service';

/** A snooze this far overdue has lost its job (a live one fires within a second). */
const OVERDUE_MS = 30_000;
const OVERDUE_PER_RUN = 500;
const CONCURRENCY = 2;

@Injectable()
export class InboxProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(InboxProcessor.name);
  private readonly handlers: JobHandlers<InboxJobs> = {
    'snooze.wake': async (job) => {
      await this.lifecycle.wake(job.data);
    },
    maintenance: () => this.maintain(),
  };

  constructor(
    @InjectQueue(INBOX_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: InboxQueue,
    private readonly lifecycle: InboxLifecycleService,
    private readonly retention: RetentionService,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const { processed } = this.config.queue;
    const options = { concurrency: CONCURRENCY, processed, logger: this.logger };
    if (!processByName(this.queue, this.handlers, options)) return;
    // Not awaited: a Redis that is away at boot must not stop the app; the next boot adds it.
    this.producer
      .scheduleMaintenance(this.config.retention.intervalMs)
      .catch((error: Error) => this.logger.warn(`maintenance not scheduled: ${error.message}`));
  }

  private async maintain(): Promise<void> {
    await this.retention.run();
    const overdue = await sqlRows<{ user_id: string; id: string; snoozed_until: Date }>(
      this.dataSource.manager,
      `SELECT user_id, id, snoozed_until FROM notifications
       WHERE snoozed_until <= $1 ORDER BY snoozed_until LIMIT $2`,
      [new Date(Date.now() - OVERDUE_MS), OVERDUE_PER_RUN],
    );
    for (const row of overdue) {
      await this.lifecycle.wake({
        userId: row.user_id,
        notificationId: row.id,
        until: row.snoozed_until.toISOString(),
      });
    }
  }
}

/**
 * Retention (API.md "Retention"): deletes notifications older than NOTIFICATION_RETENTION_DAYS,
 * a bounded batch per statement (never one DELETE holding locks on millions of rows), keeping
 * the unread count exact for expiring unread rows (the counters are locked first, in order, as
 * every other change does; see InboxChanges). Publication claims are kept exactly as long, so
 * an idempotency key is honoured for at least the retention period; relayed-and-stuck task
 * outbox rows and failed jobs older than that go too.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { sqlRows } from '../../database/sql';
import { QueueDiscovery } from '../../metrics/queue-discovery';
import { encodeFrame } from '../../realtime/protocol';
import { RealtimeBus, type FrameMessage } from '../../realtime/realtime.bus';
import { InboxMetrics } from '../inbox-metrics';
import { COUNTED, lockCounters } from './inbox-changes';

/** Batches per table per run: a backlog is worked off over several runs, not in one. */
const MAX_BATCHES_PER_RUN = 50;

@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly queues: QueueDiscovery,
    private readonly bus: RealtimeBus,
    private readonly metrics: InboxMetrics,
  ) {}

  async run(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.retention.days * 24 * 3600_000);
    await this.batches('notifications', () => this.expireNotifications(cutoff));
    await this.batches('publications', () =>
      this.deleteOlder('publications', 'job_id', 'created_at', cutoff),
    );
    await this.batches('task_changes', () =>
      this.deleteOlder('task_changes', 'id', 'recorded_at', cutoff),
    );
    await this.cleanFailedJobs();
  }

  private async batches(
    table: 'notifications' | 'publications' | 'task_changes',
    batch: () => Promise<number>,
  ): Promise<void> {
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const deleted = await batch();
      this.metrics.expired(table, deleted);
      if (deleted < this.config.retention.batchSize) return;
    }
  }

  /** One batch of expired notifications; their users' sockets get `deleted` and `unread`. */
  private async expireNotifications(cutoff: Date): Promise<number> {
    const size = this.config.retention.batchSize;
    const gone = await this.dataSource.transaction(async (manager) => {
      const victims = await sqlRows<{ id: string; user_id: string }>(
        manager,
        `SELECT id, user_id FROM notifications WHERE created_at < $1
         ORDER BY created_at LIMIT $2`,
        [cutoff, size],
      );
      if (victims.length === 0) return [];
      await lockCounters(manager, [...new Set(victims.map((v) => v.user_id))]);
      return sqlRows<{ user_id: string; ids: string[]; unread: number | null }>(
        manager,
        `WITH gone AS (
           DELETE FROM notifications WHERE id = ANY($1::uuid[]) AND created_at < $2
           RETURNING id, user_id, (${COUNTED}) AS counted),
         per_user AS (
           SELECT user_id, count(*) FILTER (WHERE counted)::int AS n, array_agg(id) AS ids
           FROM gone GROUP BY user_id),
         counter AS (
           UPDATE notification_counters c SET unread_count = c.unread_count - p.n
           FROM per_user p WHERE c.user_id = p.user_id AND p.n > 0
           RETURNING c.user_id, c.unread_count)
         SELECT p.user_id, p.ids, c.unread_count AS unread
         FROM per_user p LEFT JOIN counter c USING (user_id)`,
        [victims.map((v) => v.id), cutoff],
      );
    });
    await this.announce(gone);
    return gone.reduce((n, user) => n + user.ids.length, 0);
  }

  private async announce(
    gone: { user_id: string; ids: string[]; unread: number | null }[],
  ): Promise<void> {
    const messages: FrameMessage[] = [];
    for (const user of gone) {
      messages.push({ k: 'f', u: [user.user_id], f: encodeFrame('deleted', { ids: user.ids }) });
      if (user.unread !== null) {
        messages.push({
          k: 'f',
          u: [user.user_id],
          f: encodeFrame('unread', { count: user.unread }),
        });
      }
    }
    if (messages.length === 0) return;
    try {
      await this.bus.publishAll(messages);
    } catch (error) {
      this.logger.warn(`expired notifications not pushed: ${(error as Error).message}`);
    }
  }

  private async deleteOlder(
    table: 'publications' | 'task_changes',
    key: string,
    column: string,
    cutoff: Date,
  ): Promise<number> {
    const rows = await sqlRows<{ n: number }>(
      this.dataSource.manager,
      `WITH gone AS (
         DELETE FROM ${table} WHERE ${key} IN (
           SELECT ${key} FROM ${table} WHERE ${column} < $1 ORDER BY ${column} LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, this.config.retention.batchSize],
    );
    return rows[0]?.n ?? 0;
  }

  /** Failed jobs are kept for inspection (removeOnFail: false) for the retention period. */
  private async cleanFailedJobs(): Promise<void> {
    const grace = this.config.retention.days * 24 * 3600_000;
    for (const queue of this.queues.all()) {
      const removed = await queue.clean(grace, 'failed', this.config.retention.batchSize);
      this.metrics.expired('failed_jobs', removed.length);
    }
  }
}

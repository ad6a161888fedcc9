/**
 * Metrics of the inbox lifecycle, registered on the app's registry (MetricsService): a
 * notification muted by preferences is counted, never dropped without trace.
 */
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

export type MutedChannel = 'inApp' | 'push';
export type RetentionTable = 'notifications' | 'publications' | 'task_changes' | 'failed_jobs';

@Injectable()
export class InboxMetrics {
  private readonly mutedTotal: Counter<'channel'>;
  private readonly expiredTotal: Counter<'table'>;
  private readonly wakeUps: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.mutedTotal = new Counter({
      name: 'herald_notifications_muted_total',
      help: "Notifications not sent on a channel because the recipient's preferences mute the type.",
      labelNames: ['channel'],
      registers,
    });
    this.expiredTotal = new Counter({
      name: 'herald_retention_deleted_total',
      help: 'Rows deleted by the retention job (NOTIFICATION_RETENTION_DAYS), by table.',
      labelNames: ['table'],
      registers,
    });
    this.wakeUps = new Counter({
      name: 'herald_snooze_wakeups_total',
      help: 'Snoozed notifications brought back to the inbox at their time.',
      registers,
    });
  }

  muted(channel: MutedChannel, count: number): void {
    if (count > 0) this.mutedTotal.inc({ channel }, count);
  }

  expired(table: RetentionTable, count: number): void {
    if (count > 0) this.expiredTotal.inc({ table }, count);
  }

  wokeUp(): void {
    this.wakeUps.inc();
  }
}

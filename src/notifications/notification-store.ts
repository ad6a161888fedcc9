/**
 * Storage of published notifications, in set-based SQL: a publish to 10,000 users is a handful
 * of statements, not 10,000 of anything.
 *
 * Seq assignment: each recipient's counter row in `notification_counters` is bumped by an
 * upsert, which holds that row's lock until the transaction commits. A second publish to the
 * same user waits for the first to commit before it gets the next seq, so per user, seq order
 * is commit order and seqs are dense: a client that saw seq N can never later miss a row < N.
 * Recipients are locked in sorted order, so two concurrent publishes cannot deadlock.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import type { PublishTarget } from './notifications.jobs';
import type { NotificationContent, StoredPublication, StoredRecipient } from './notification.types';

const DEADLOCK = '40P01';
const MAX_DEADLOCK_RETRIES = 3;

@Injectable()
export class NotificationStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores one row per recipient for the job, once. A job that already stored its rows (a retry,
   * a stalled job run twice, a repeated idempotency key) gets `created: false` and the rows it
   * stored before, and nothing new is written.
   */
  async storePublication(
    jobId: string,
    publisherId: string,
    target: PublishTarget,
    content: NotificationContent,
  ): Promise<StoredPublication> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) =>
          this.storeIn(manager, jobId, publisherId, target, content),
        );
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= MAX_DEADLOCK_RETRIES) {
          throw error;
        }
      }
    }
  }

  private async storeIn(
    manager: EntityManager,
    jobId: string,
    publisherId: string,
    target: PublishTarget,
    content: NotificationContent,
  ): Promise<StoredPublication> {
    const claimed = await sqlRows(
      manager,
      `INSERT INTO publications (job_id, publisher_id, recipients) VALUES ($1, $2, 0)
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
      [jobId, publisherId],
    );
    if (claimed.length === 0) return this.loadPublication(manager, jobId);

    const recipients =
      'topic' in target
        ? `SELECT user_id FROM topic_subscriptions WHERE topic = $1 ORDER BY user_id`
        : `SELECT DISTINCT u AS user_id FROM unnest($1::varchar[]) AS u ORDER BY 1`;
    const rows = await sqlRows<{
      id: string;
      user_id: string;
      seq: number;
      unread: number;
      created_at: Date;
    }>(
      manager,
      `WITH recipients AS (${recipients}),
         bumped AS (
           INSERT INTO notification_counters (user_id, last_seq, unread_count)
           SELECT user_id, 1, 1 FROM recipients
           ON CONFLICT (user_id) DO UPDATE SET
             last_seq = notification_counters.last_seq + 1,
             unread_count = notification_counters.unread_count + 1
           RETURNING user_id, last_seq, unread_count),
         inserted AS (
           INSERT INTO notifications (user_id, seq, type, title, body, data, topic, job_id)
           SELECT user_id, last_seq, $2, $3, $4, $5::jsonb, $6, $7 FROM bumped
           RETURNING id, user_id, seq, created_at)
         SELECT i.id, i.user_id, i.seq, i.created_at, b.unread_count AS unread
         FROM inserted i JOIN bumped b USING (user_id)`,
      [
        'topic' in target ? target.topic : target.userIds,
        content.type,
        content.title,
        content.body,
        JSON.stringify(content.data),
        content.topic,
        jobId,
      ],
    );
    await sqlRows(manager, `UPDATE publications SET recipients = $2 WHERE job_id = $1`, [
      jobId,
      rows.length,
    ]);
    const createdAt = rows[0]?.created_at ?? new Date();
    return {
      created: true,
      createdAt: createdAt.toISOString(),
      content,
      recipients: rows.map(toRecipient),
    };
  }

  private async loadPublication(manager: EntityManager, jobId: string): Promise<StoredPublication> {
    const rows = await sqlRows<{
      id: string;
      user_id: string;
      seq: number;
      created_at: Date;
      unread: number;
      type: string;
      title: string;
      body: string;
      data: Record<string, unknown>;
      topic: string | null;
    }>(
      manager,
      `SELECT n.id, n.user_id, n.seq, n.created_at, n.type, n.title, n.body, n.data, n.topic,
              c.unread_count AS unread
       FROM notifications n JOIN notification_counters c USING (user_id)
       WHERE n.job_id = $1 ORDER BY n.user_id`,
      [jobId],
    );
    const first = rows[0];
    return {
      created: false,
      createdAt: (first?.created_at ?? new Date()).toISOString(),
      content: first
        ? {
            type: first.type,
            title: first.title,
            body: first.body,
            data: first.data,
            topic: first.topic,
          }
        : { type: '', title: '', body: '', data: {}, topic: null },
      recipients: rows.map(toRecipient),
    };
  }
}

function toRecipient(row: {
  id: string;
  user_id: string;
  seq: number;
  unread: number;
}): StoredRecipient {
  return { id: row.id, userId: row.user_id, seq: row.seq, unread: row.unread };
}

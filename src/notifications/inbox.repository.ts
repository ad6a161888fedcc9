/**
 * The SQL behind InboxService: pages of a user's inbox, their counter row, ranges for replay,
 * and marking read, which keeps the unread count exact as InboxChanges does (the counter row
 * locked first, the count moved in the same statement).
 */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { sqlRows } from '../database/sql';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
import { lockCounters } from './lifecycle/inbox-changes';
import { applyViewFilters } from './lifecycle/inbox-views';
import { NotificationCounterEntity } from './notification-counter.entity';
import { NotificationEntity } from './notification.entity';
import { toView } from './notification.mapper';
import type { NotificationView } from './notification.types';

/** Which of a user's notifications to mark read. */
export type ReadSelection =
  { kind: 'one'; id: string } | { kind: 'many'; ids: string[] } | { kind: 'all' };

/** What marking read changed: the rows that were unread, in seq order. */
export interface ReadChange {
  ids: string[];
  /** When they were marked (one time for all of them). */
  readAt: Date;
  /** The unread count after the change, or null when it did not move. */
  unread: number | null;
}

/** A user's counter row; zeros for a user who never had a notification. */
export interface InboxCounter {
  lastSeq: number;
  unreadCount: number;
}

const WHERE: Record<ReadSelection['kind'], string> = {
  one: 'id = $2',
  many: 'id = ANY($2::uuid[])',
  all: 'true',
};

@Injectable()
export class InboxRepository {
  constructor(
    @InjectRepository(NotificationEntity)
    private readonly notifications: Repository<NotificationEntity>,
    @InjectRepository(NotificationCounterEntity)
    private readonly counters: Repository<NotificationCounterEntity>,
  ) {}

  /** One page: `limit + 1` rows (to know whether there is more), newest first unless `after`. */
  async page(userId: string, query: ListNotificationsQuery): Promise<NotificationView[]> {
    return (await this.listQuery(userId, query).getMany()).map(toView);
  }

  /** The query of `page`, one index range scan (see inbox-views.ts). */
  listQuery(userId: string, query: ListNotificationsQuery): SelectQueryBuilder<NotificationEntity> {
    const qb = this.notifications.createQueryBuilder('n').where('n.userId = :userId', { userId });
    if (query.unread === 'true') qb.andWhere('n.readAt IS NULL');
    applyViewFilters(qb, query);
    if (query.after !== undefined) {
      qb.andWhere('n.seq > :after', { after: query.after }).orderBy('n.seq', 'ASC');
    } else {
      if (query.before !== undefined) qb.andWhere('n.seq < :before', { before: query.before });
      qb.orderBy('n.seq', 'DESC');
    }
    return qb.take(query.limit + 1);
  }

  async counter(userId: string): Promise<InboxCounter> {
    const row = await this.counters.findOne({ where: { userId } });
    return { lastSeq: row?.lastSeq ?? 0, unreadCount: row?.unreadCount ?? 0 };
  }

  /** Notifications with afterSeq < seq < beforeSeq (beforeSeq optional), oldest first. */
  async range(
    userId: string,
    afterSeq: number,
    limit: number,
    beforeSeq?: number,
  ): Promise<NotificationView[]> {
    const qb = this.notifications
      .createQueryBuilder('n')
      .where('n.userId = :userId AND n.seq > :afterSeq', { userId, afterSeq });
    if (beforeSeq !== undefined) qb.andWhere('n.seq < :beforeSeq', { beforeSeq });
    const rows = await qb.orderBy('n.seq', 'ASC').take(limit).getMany();
    return rows.map(toView);
  }

  /** The user's notification `id` (a uuid), or null if it is not theirs. */
  async find(userId: string, id: string): Promise<NotificationView | null> {
    const entity = await this.notifications.findOne({ where: { id, userId } });
    return entity ? toView(entity) : null;
  }

  /**
   * Marks the selected unread notifications read and lowers the unread count by those of them
   * in the inbox view (not archived, not snoozed), in one statement under the counter row's
   * lock. Answers only ids and times: a read-all may change many rows. Null when none of them
   * was unread.
   */
  async markRead(userId: string, selection: ReadSelection): Promise<ReadChange | null> {
    const params =
      selection.kind === 'one' ? [selection.id] : selection.kind === 'many' ? [selection.ids] : [];
    const rows = await this.notifications.manager.transaction(async (manager) => {
      await lockCounters(manager, [userId]);
      return sqlRows<{ id: string; read_at: Date; unread: number | null }>(
        manager,
        `WITH updated AS (
           UPDATE notifications SET read_at = now()
           WHERE user_id = $1 AND read_at IS NULL AND ${WHERE[selection.kind]}
           RETURNING id, seq, read_at, (archived_at IS NULL AND snoozed_until IS NULL) AS counted),
         counter AS (
           UPDATE notification_counters
           SET unread_count = unread_count - (SELECT count(*) FROM updated WHERE counted)
           WHERE user_id = $1 AND EXISTS (SELECT 1 FROM updated WHERE counted)
           RETURNING unread_count)
         SELECT u.id, u.read_at, (SELECT unread_count FROM counter) AS unread
         FROM updated u ORDER BY u.seq`,
        [userId, ...params],
      );
    });
    const [first] = rows;
    if (!first) return null;
    return { ids: rows.map((row) => row.id), readAt: first.read_at, unread: first.unread };
  }
}

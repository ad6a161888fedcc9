/** A user's inbox: listing, replay for `resume`, read state and its sync to every device. */
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { UUID_PATTERN } from '../common/uuid';
import { sqlRows } from '../database/sql';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
import { lockCounters } from './lifecycle/inbox-changes';
import { applyViewFilters } from './lifecycle/inbox-views';
import { NotificationCounterEntity } from './notification-counter.entity';
import { NotificationEntity } from './notification.entity';
import { toView } from './notification.mapper';
import type { NotificationView } from './notification.types';

/** ids listed in a `read` event for read-all; past it only `all: true` is sent. */
const READ_ALL_IDS_IN_EVENT = 500;

export interface InboxPage {
  items: NotificationView[];
  nextBefore: number | null;
  /** With `after`: the cursor for the next oldest-first page (an extension). */
  nextAfter?: number | null;
}

@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);

  constructor(
    @InjectRepository(NotificationEntity)
    private readonly notifications: Repository<NotificationEntity>,
    @InjectRepository(NotificationCounterEntity)
    private readonly counters: Repository<NotificationCounterEntity>,
    private readonly realtime: RealtimePublisher,
  ) {}

  async list(userId: string, query: ListNotificationsQuery): Promise<InboxPage> {
    const rows = await this.listQuery(userId, query).getMany();
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map(toView);
    const last = items.at(-1)?.seq ?? null;
    if (query.after !== undefined)
      return { items, nextBefore: null, nextAfter: more ? last : null };
    return { items, nextBefore: more ? last : null };
  }

  /** The query of one page (`limit + 1` rows, to know whether there is more). */
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

  async unreadCount(userId: string): Promise<number> {
    const counter = await this.counters.findOne({ where: { userId } });
    return counter?.unreadCount ?? 0;
  }

  async lastSeq(userId: string): Promise<number> {
    const counter = await this.counters.findOne({ where: { userId } });
    return counter?.lastSeq ?? 0;
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

  async markRead(userId: string, id: string): Promise<NotificationView> {
    if (!UUID_PATTERN.test(id)) throw new NotFoundException('notification not found');
    await this.markWhere(userId, 'id = $2', [id]);
    const entity = await this.notifications.findOne({ where: { id, userId } });
    if (!entity) throw new NotFoundException('notification not found');
    return toView(entity);
  }

  markManyRead(userId: string, ids: string[]): Promise<number> {
    return this.markWhere(userId, 'id = ANY($2::uuid[])', [[...new Set(ids)]]);
  }

  markAllRead(userId: string): Promise<number> {
    return this.markWhere(userId, 'true', [], true);
  }

  /**
   * Marks the user's unread notifications matching `condition` read and lowers their unread
   * count in the same statement (under the counter row's lock, like publishing), then pushes
   * `read` and `unread` to every socket of the user. Answers how many changed.
   */
  private async markWhere(
    userId: string,
    condition: string,
    params: unknown[],
    all = false,
  ): Promise<number> {
    // The counter row is locked first, as every change of a user's rows does (InboxChanges);
    // only rows of the inbox view (not archived, not snoozed) leave the count.
    const rows = await this.notifications.manager.transaction(async (manager) => {
      await lockCounters(manager, [userId]);
      return sqlRows<{ id: string; read_at: Date; unread: number | null }>(
        manager,
        `WITH updated AS (
           UPDATE notifications SET read_at = now()
           WHERE user_id = $1 AND read_at IS NULL AND ${condition}
           RETURNING id, read_at, (archived_at IS NULL AND snoozed_until IS NULL) AS counted),
         counter AS (
           UPDATE notification_counters
           SET unread_count = unread_count - (SELECT count(*) FROM updated WHERE counted)
           WHERE user_id = $1 AND EXISTS (SELECT 1 FROM updated WHERE counted)
           RETURNING unread_count)
         SELECT u.id, u.read_at, (SELECT unread_count FROM counter) AS unread FROM updated u`,
        [userId, ...params],
      );
    });
    if (rows.length) {
      const ids = !all || rows.length <= READ_ALL_IDS_IN_EVENT ? rows.map((r) => r.id) : [];
      await this.announceRead(userId, ids, rows[0].read_at, rows[0].unread, all);
    }
    return rows.length;
  }

  /**
   * Pushes `read` and the new `unread` count to every socket of the user. The change is already
   * committed, so a push that fails (Redis away) is logged, not turned into an error: the next
   * `ready` carries the right count.
   */
  private async announceRead(
    userId: string,
    ids: string[],
    readAt: Date,
    count: number | null,
    all: boolean,
  ): Promise<void> {
    try {
      await this.realtime.sendToUser(userId, 'read', {
        ids,
        readAt: readAt.toISOString(),
        ...(all ? { all } : {}),
      });
      if (count !== null) await this.realtime.sendToUser(userId, 'unread', { count });
    } catch (error) {
      this.logger.warn(`read sync for a user not pushed: ${(error as Error).message}`);
    }
  }
}

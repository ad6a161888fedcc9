/** A user's inbox: listing, replay for `resume`, read state and its sync to every device. */
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UUID_PATTERN } from '../common/uuid';
import { sqlRows } from '../database/sql';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
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
    const qb = this.notifications.createQueryBuilder('n').where('n.userId = :userId', { userId });
    if (query.unread === 'true') qb.andWhere('n.readAt IS NULL');
    if (query.after !== undefined) {
      qb.andWhere('n.seq > :after', { after: query.after }).orderBy('n.seq', 'ASC');
    } else {
      if (query.before !== undefined) qb.andWhere('n.seq < :before', { before: query.before });
      qb.orderBy('n.seq', 'DESC');
    }
    const rows = await qb.take(query.limit + 1).getMany();
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map(toView);
    const last = items.at(-1)?.seq ?? null;
    if (query.after !== undefined)
      return { items, nextBefore: null, nextAfter: more ? last : null };
    return { items, nextBefore: more ? last : null };
  }

  unreadCount(userId: string): Promise<number> {
    return this.notifications
      .createQueryBuilder('n')
      .where('n.userId = :userId AND n.readAt IS NULL', { userId })
      .getCount();
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
    const updated = await sqlRows(
      this.notifications.manager,
      `UPDATE notifications SET read_at = now()
       WHERE id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id`,
      [id, userId],
    );
    const entity = await this.notifications.findOne({ where: { id, userId } });
    if (!entity) throw new NotFoundException('notification not found');
    if (updated.length && entity.readAt) await this.announceRead(userId, [id], entity.readAt);
    return toView(entity);
  }

  async markManyRead(userId: string, ids: string[]): Promise<number> {
    const rows = await sqlRows<{ id: string; read_at: Date }>(
      this.notifications.manager,
      `UPDATE notifications SET read_at = now()
       WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL
       RETURNING id, read_at`,
      [userId, [...new Set(ids)]],
    );
    if (rows.length)
      await this.announceRead(
        userId,
        rows.map((r) => r.id),
        rows[0].read_at,
      );
    return rows.length;
  }

  async markAllRead(userId: string): Promise<number> {
    const rows = await sqlRows<{ id: string; read_at: Date }>(
      this.notifications.manager,
      `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL
       RETURNING id, read_at`,
      [userId],
    );
    if (rows.length) {
      const ids = rows.length <= READ_ALL_IDS_IN_EVENT ? rows.map((r) => r.id) : [];
      await this.announceRead(userId, ids, rows[0].read_at, true);
    }
    return rows.length;
  }

  /**
   * Pushes `read` and the new `unread` count to every socket of the user. The change is already
   * committed, so a push that fails (Redis away) is logged, not turned into an error: the next
   * `ready` carries the right count.
   */
  private async announceRead(userId: string, ids: string[], readAt: Date, all?: boolean) {
    try {
      const count = await this.unreadCount(userId);
      await this.realtime.sendToUser(userId, 'read', {
        ids,
        readAt: readAt.toISOString(),
        ...(all ? { all } : {}),
      });
      await this.realtime.sendToUser(userId, 'unread', { count });
    } catch (error) {
      this.logger.warn(`read sync for a user not pushed: ${(error as Error).message}`);
    }
  }
}

/** A user's inbox: listing, replay for `resume`, read state and its sync to every device. */
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { UUID_PATTERN } from '../common/uuid';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
import { InboxRepository, type ReadChange, type ReadSelection } from './inbox.repository';
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
    private readonly repository: InboxRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  async list(userId: string, query: ListNotificationsQuery): Promise<InboxPage> {
    const rows = await this.repository.page(userId, query);
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const last = items.at(-1)?.seq ?? null;
    if (query.after !== undefined)
      return { items, nextBefore: null, nextAfter: more ? last : null };
    return { items, nextBefore: more ? last : null };
  }

  async unreadCount(userId: string): Promise<number> {
    return (await this.repository.counter(userId)).unreadCount;
  }

  async lastSeq(userId: string): Promise<number> {
    return (await this.repository.counter(userId)).lastSeq;
  }

  /** Notifications with afterSeq < seq < beforeSeq (beforeSeq optional), oldest first. */
  range(
    userId: string,
    afterSeq: number,
    limit: number,
    beforeSeq?: number,
  ): Promise<NotificationView[]> {
    return this.repository.range(userId, afterSeq, limit, beforeSeq);
  }

  async markRead(userId: string, id: string): Promise<NotificationView> {
    if (!UUID_PATTERN.test(id)) throw new NotFoundException('notification not found');
    await this.mark(userId, { kind: 'one', id });
    const notification = await this.repository.find(userId, id);
    if (!notification) throw new NotFoundException('notification not found');
    return notification;
  }

  markManyRead(userId: string, ids: string[]): Promise<number> {
    return this.mark(userId, { kind: 'many', ids: [...new Set(ids)] });
  }

  markAllRead(userId: string): Promise<number> {
    return this.mark(userId, { kind: 'all' });
  }

  /** Marks read, then pushes `read` and `unread` to every socket of the user; answers how many. */
  private async mark(userId: string, selection: ReadSelection): Promise<number> {
    const change = await this.repository.markRead(userId, selection);
    if (!change) return 0;
    await this.announceRead(userId, change, selection.kind === 'all');
    return change.ids.length;
  }

  /**
   * Pushes `read` and the new `unread` count (if it moved) to every socket of the user. The
   * change is already committed, so a push that fails (Redis away) is logged, not turned into
   * an error: the next `ready` carries the right count.
   */
  private async announceRead(userId: string, change: ReadChange, all: boolean): Promise<void> {
    const { ids, readAt, unread } = change;
    try {
      await this.realtime.sendToUser(userId, 'read', {
        ids: !all || ids.length <= READ_ALL_IDS_IN_EVENT ? ids : [],
        readAt: readAt.toISOString(),
        ...(all ? { all } : {}),
      });
      if (unread !== null) await this.realtime.sendToUser(userId, 'unread', { count: unread });
    } catch (error) {
      this.logger.warn(`read sync for a user not pushed: ${(error as Error).message}`);
    }
  }
}

/** A user's inbox: listing, replay for `resume`, read state and its sync to every device. */
import { Injectable, NotFoundException } from '@nestjs/common';
import { UUID_PATTERN } from '../http/uuid';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
import { IDS_IN_EVENT, InboxPush } from './inbox-push';
import { InboxRepository, type ReadSelection } from './inbox.repository';
import type { NotificationView } from './notification.types';

export interface InboxPage {
  items: NotificationView[];
  nextBefore: number | null;
  /** With `after`: the cursor for the next oldest-first page (an extension). */
  nextAfter?: number | null;
}

@Injectable()
export class InboxService {
  constructor(
    private readonly repository: InboxRepository,
    private readonly pushes: InboxPush,
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
    const all = selection.kind === 'all';
    const { ids, readAt, unread } = change;
    const data = {
      ids: !all || ids.length <= IDS_IN_EVENT ? ids : [],
      readAt: readAt.toISOString(),
      ...(all ? { all } : {}),
    };
    await this.pushes.changed(userId, 'read', data, unread);
    return ids.length;
  }
}

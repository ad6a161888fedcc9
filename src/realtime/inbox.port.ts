/**
 * What realtime needs of a user's inbox, and nothing more: its position for `ready`, its rows
 * after a seq for a `resume` replay and for filling a gap in the live stream, and marking read
 * for the `read` / `read.all` frames. Realtime defines it; notifications provides it (its
 * InboxService, through `inboxPortFrom`), so realtime imports no notifications service and the
 * dependency between the two folders runs one way.
 */
import type { Provider, Type } from '@nestjs/common';
import type { NotificationView } from '../notifications/notification.types';

export const INBOX_PORT = Symbol('INBOX_PORT');

export interface InboxPort {
  unreadCount(userId: string): Promise<number>;
  /** The seq of the user's newest notification (0 before any). */
  lastSeq(userId: string): Promise<number>;
  /** Up to `limit` notifications with afterSeq < seq < beforeSeq (beforeSeq optional), oldest first. */
  range(
    userId: string,
    afterSeq: number,
    limit: number,
    beforeSeq?: number,
  ): Promise<NotificationView[]>;
  /** Marks those of `ids` that are the user's read, and syncs every device. */
  markManyRead(userId: string, ids: string[]): Promise<unknown>;
  markAllRead(userId: string): Promise<unknown>;
}

/** The port's provider, from a class that implements it (checked here, at compile time). */
export function inboxPortFrom(implementation: Type<InboxPort>): Provider {
  return { provide: INBOX_PORT, useExisting: implementation };
}

import type { LoadedRow } from './notification-store.sql';
import type { NotificationEntity } from './notification.entity';
import type { NotificationView, StoredPublication, StoredRecipient } from './notification.types';

export function toView(entity: NotificationEntity): NotificationView {
  return {
    id: entity.id,
    seq: entity.seq,
    userId: entity.userId,
    type: entity.type,
    title: entity.title,
    body: entity.body,
    data: entity.data,
    topic: entity.topic,
    publisher: entity.publisher,
    createdAt: entity.createdAt.toISOString(),
    readAt: entity.readAt ? entity.readAt.toISOString() : null,
    critical: entity.critical,
    archivedAt: entity.archivedAt ? entity.archivedAt.toISOString() : null,
    snoozedUntil: entity.snoozedUntil ? entity.snoozedUntil.toISOString() : null,
  };
}

export function toStoredRecipient(row: {
  id: string;
  user_id: string;
  seq: number;
  unread: number;
}): StoredRecipient {
  return { id: row.id, userId: row.user_id, seq: row.seq, unread: row.unread };
}

/** A publication's rows as an earlier run stored them (LOAD_PUBLICATION_SQL), for pushing again. */
export function toStoredBefore(rows: readonly LoadedRow[]): StoredPublication {
  const first = rows.at(0);
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
          publisher: first.publisher,
          critical: first.critical,
        }
      : { type: '', title: '', body: '', data: {}, topic: null, publisher: '' },
    recipients: rows.map(toStoredRecipient),
  };
}

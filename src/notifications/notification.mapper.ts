import type { NotificationEntity } from './notification.entity';
import type { NotificationView } from './notification.types';

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

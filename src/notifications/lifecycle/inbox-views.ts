/**
 * The views and filters of GET /v1/notifications. Each view's condition is written exactly as
 * the predicate of its partial (user_id, seq) index (migration InboxLifecycle), so a page is
 * one index range scan in seq order that stops after `limit + 1` rows: O(page) whatever the
 * user holds. An exact `type` or `topic` has its own (user_id, type|topic, seq) index; a type
 * prefix is checked on the view's index as it scans.
 */
import type { SelectQueryBuilder } from 'typeorm';
import type { InboxView, ListNotificationsQuery } from '../dto/list-notifications.query';
import type { NotificationEntity } from '../notification.entity';

export const VIEW_CONDITION: Record<InboxView, string | null> = {
  inbox: 'n.archivedAt IS NULL AND n.snoozedUntil IS NULL',
  archived: 'n.archivedAt IS NOT NULL',
  snoozed: 'n.snoozedUntil IS NOT NULL',
  all: null,
};

export function applyViewFilters(
  qb: SelectQueryBuilder<NotificationEntity>,
  query: Pick<ListNotificationsQuery, 'view' | 'type' | 'topic'>,
): void {
  const condition = VIEW_CONDITION[query.view ?? 'inbox'];
  if (condition) qb.andWhere(condition);
  if (query.type?.endsWith('.*')) {
    qb.andWhere('starts_with(n.type, :typePrefix)', { typePrefix: query.type.slice(0, -1) });
  } else if (query.type !== undefined) {
    qb.andWhere('n.type = :type', { type: query.type });
  }
  if (query.topic !== undefined) qb.andWhere('n.topic = :topic', { topic: query.topic });
}

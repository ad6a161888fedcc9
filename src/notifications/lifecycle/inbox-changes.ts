/**
 * The SQL of every inbox lifecycle change, and the one rule that keeps the unread count exact:
 * a change to a user's existing rows first locks the user's counter row (as publishing does
 * when it bumps it), then changes the rows and moves the count by how many rows entered or left
 * "counted" (unread, not archived, not snoozed) in the same statement. With the lock held
 * nothing else changes the user's rows, so the statement's before/after view is exact, and two
 * devices acting on the same rows at once are applied one after the other. Locking the counter
 * first everywhere (InboxRepository.markRead too) also means no two changes can deadlock.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../../database/sql';
import type { NotificationView } from '../notification.types';

/** A row is in the unread count when it is unread and in the inbox view. */
export const COUNTED = 'read_at IS NULL AND archived_at IS NULL AND snoozed_until IS NULL';

/** Rows one statement of an "all" change touches; the next chunk is its own transaction. */
export const CHUNK = 5000;

export interface RawNotification {
  id: string;
  user_id: string;
  seq: number;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  topic: string | null;
  publisher: string;
  created_at: Date;
  read_at: Date | null;
  critical: boolean;
  archived_at: Date | null;
  snoozed_until: Date | null;
}

export interface ChangedRow extends RawNotification {
  /** snoozed_until before the change */
  old_until: Date | null;
}

export interface Change {
  rows: ChangedRow[];
  /** The unread count after the change, or null when it did not move. */
  unread: number | null;
}

export type ChangeAction = { set: string } | { delete: true };

/** The users' counter rows, locked in a stable order (as NotificationStore locks them). */
export async function lockCounters(manager: EntityManager, userIds: string[]): Promise<void> {
  await sqlRows(
    manager,
    `SELECT 1 FROM notification_counters WHERE user_id = ANY($1::varchar[])
     ORDER BY user_id FOR UPDATE`,
    [userIds],
  );
}

export function toNotificationView(row: RawNotification): NotificationView {
  return {
    id: row.id,
    seq: row.seq,
    userId: row.user_id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: row.data,
    topic: row.topic,
    publisher: row.publisher,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
    critical: row.critical,
    archivedAt: row.archived_at?.toISOString() ?? null,
    snoozedUntil: row.snoozed_until?.toISOString() ?? null,
  };
}

@Injectable()
export class InboxChanges {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies `action` to the user's rows matching `where` (SQL over the notifications columns;
   * parameters from $2 on), at most `limit` of them, and moves the unread count to match.
   */
  async apply(
    userId: string,
    where: string,
    params: unknown[],
    action: ChangeAction,
    limit?: number,
  ): Promise<Change> {
    const statement =
      'set' in action
        ? `UPDATE notifications n SET ${action.set} FROM target t WHERE n.id = t.id`
        : 'DELETE FROM notifications n USING target t WHERE n.id = t.id';
    const after = 'set' in action ? `(${qualified(COUNTED)})` : 'false';
    const rows = await this.dataSource.transaction(async (manager) => {
      await lockCounters(manager, [userId]);
      return sqlRows<ChangedRow & { unread: number | null }>(
        manager,
        `WITH target AS (
           SELECT id, (${COUNTED}) AS was_counted, snoozed_until AS old_until FROM notifications
           WHERE user_id = $1 AND (${where}) ORDER BY seq ${limit ? `LIMIT ${limit}` : ''}),
         changed AS (
           ${statement}
           RETURNING n.*, t.old_until, t.was_counted, ${after} AS now_counted),
         delta AS (
           SELECT coalesce(sum(now_counted::int - was_counted::int), 0)::int AS d FROM changed),
         counter AS (
           UPDATE notification_counters c SET unread_count = c.unread_count + delta.d
           FROM delta WHERE c.user_id = $1 AND delta.d <> 0 RETURNING c.unread_count)
         SELECT changed.*, (SELECT unread_count FROM counter) AS unread FROM changed
         ORDER BY changed.seq`,
        [userId, ...params],
      );
    });
    return { rows, unread: rows[0]?.unread ?? null };
  }

  async find(userId: string, id: string): Promise<RawNotification | null> {
    const [row] = await sqlRows<RawNotification>(
      this.dataSource.manager,
      'SELECT * FROM notifications WHERE user_id = $1 AND id = $2',
      [userId, id],
    );
    return row ?? null;
  }
}

/** COUNTED over the UPDATE's `n` (its new values). */
function qualified(condition: string): string {
  return condition.replace(/\b(read_at|archived_at|snoozed_until)\b/g, 'n.$1');
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per user: the last seq handed out and the unread count. Incrementing takes the row lock until
 * the inserting transaction commits, so a user's rows commit in seq order; every change of read
 * state adjusts `unreadCount` under the same lock, so it is exact and O(1) to read. Invariant:
 * `notifications.read_at` changes only through InboxChanges and InboxRepository.markRead,
 * which keep this count.
 */
@Entity('notification_counters')
export class NotificationCounterEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;

  @Column({ name: 'unread_count', type: 'integer', default: 0 })
  unreadCount!: number;
}

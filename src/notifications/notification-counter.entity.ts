import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last seq handed out per user. Incrementing it takes the row lock until the inserting
 * transaction commits, so a user's rows commit in seq order.
 */
@Entity('notification_counters')
export class NotificationCounterEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;
}

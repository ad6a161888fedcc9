import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One stored notification for one user. `seq` is dense and strictly increasing per user
 * (assigned from `notification_counters` under a row lock, see NotificationStore), so a client
 * that resumes after seq N can never skip a row that commits later.
 */
@Entity('notifications')
@Index('UQ_notifications_user_seq', ['userId', 'seq'], { unique: true })
@Index('IDX_notifications_unread', ['userId', 'seq'], { where: '"read_at" IS NULL' })
// The views' indexes (inbox, archived, snoozed, filters) are in migration InboxLifecycle.
@Index('IDX_notifications_job', ['jobId'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 2000, default: '' })
  body!: string;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  data!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 200, nullable: true })
  topic!: string | null;

  /** The publish job that created the row; lets a retried job find what it already stored. */
  @Column({ name: 'job_id', type: 'varchar', length: 100 })
  jobId!: string;

  /**
   * Who sent it: the publishing token's `sub`; for task notifications the user whose change
   * caused it. 'unknown' only on rows stored before it was recorded whose publication was gone.
   */
  @Column({ type: 'varchar', length: 128, default: 'unknown' })
  publisher!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  /** Published with `critical: true` (preferences did not apply). */
  @Column({ type: 'boolean', default: false })
  critical!: boolean;

  /** Out of the inbox view, in the archived one; archiving also marks it read. */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  /** Out of the inbox view and the unread count until then (InboxLifecycleService). */
  @Column({ name: 'snoozed_until', type: 'timestamptz', nullable: true })
  snoozedUntil!: Date | null;
}

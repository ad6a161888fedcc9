import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One browser's Web Push subscription. The endpoint is unique: it names one browser profile's
 * registration with its push service, so posting it again (even for another user, after a
 * sign-in as someone else on that browser) updates this row instead of adding a second.
 */
@Entity('push_subscriptions')
@Index('UQ_push_subscriptions_endpoint', ['endpoint'], { unique: true })
@Index('IDX_push_subscriptions_user', ['userId'])
export class PushSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'varchar', length: 2048 })
  endpoint!: string;

  /** The browser's P-256 ECDH public key (base64url, 65 bytes decoded). */
  @Column({ type: 'varchar', length: 100 })
  p256dh!: string;

  /** The 16-byte auth secret (base64url). */
  @Column({ type: 'varchar', length: 50 })
  auth!: string;

  @Column({ name: 'expiration_time', type: 'timestamptz', nullable: true })
  expirationTime!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

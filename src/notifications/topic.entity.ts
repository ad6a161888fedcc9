import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A topic exists once a service added subscribers to it or set it with PUT. Users may
 * subscribe themselves only while `selfSubscribe` is true. `subscribers` is the exact count of
 * its `topic_subscriptions` rows, kept in the subscribing transaction (TopicsService), so the
 * per-topic cap and a publish's recipient budget need no count(*).
 */
@Entity('topics')
export class TopicEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  topic!: string;

  @Column({ name: 'self_subscribe', type: 'boolean', default: false })
  selfSubscribe!: boolean;

  @Column({ type: 'integer', default: 0 })
  subscribers!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('topic_subscriptions')
@Index('IDX_topic_subscriptions_user', ['userId'])
export class TopicSubscriptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  topic!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

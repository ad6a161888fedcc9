import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How many topics a user is subscribed to (exact; kept by TopicsService for the cap). */
@Entity('user_topic_counts')
export class UserTopicCountEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @Column({ type: 'integer', default: 0 })
  topics!: number;
}

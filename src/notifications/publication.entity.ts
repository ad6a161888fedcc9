import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per publish job that stored its notifications. Inserted in the same transaction as
 * the rows, so a job that runs again (retry, stalled job, same idempotency key days later)
 * finds it and stores nothing new.
 */
@Entity('publications')
export class PublicationEntity {
  @PrimaryColumn({ name: 'job_id', type: 'varchar', length: 100 })
  jobId!: string;

  @Column({ name: 'publisher_id', type: 'varchar', length: 128 })
  publisherId!: string;

  @Column({ type: 'integer' })
  recipients!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

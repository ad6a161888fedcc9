import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The recipients of a large topic publish, frozen once before any part of it is stored, so that
 * a retry splits exactly the same list into exactly the same parts (PublicationSnapshots).
 * Deleted once every part is stored.
 */
@Entity('publication_snapshots')
export class PublicationSnapshotEntity {
  @PrimaryColumn({ name: 'publication_id', type: 'varchar', length: 100 })
  publicationId!: string;

  @Column({ type: 'varchar', length: 200 })
  topic!: string;

  @Column({ type: 'varchar', length: 128, array: true })
  recipients!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

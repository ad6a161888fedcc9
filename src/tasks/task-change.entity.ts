import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskStatus } from './task.types';

/**
 * The task outbox: one row per insert, delete, or change of assignee, status or due time of a
 * task, written by a trigger in the writing transaction (so a rollback leaves none) and deleted
 * by TaskChangeRelay once it is queued as a job.
 */
@Entity('task_changes')
export class TaskChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  /** The task's version after the change (before it, for a delete). */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 6 })
  op!: 'insert' | 'update' | 'delete';

  /** `updated_by` of the written row. */
  @Column({ name: 'actor_id', type: 'varchar', length: 128 })
  actorId!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 128 })
  ownerId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ name: 'assignee_before', type: 'varchar', length: 128, nullable: true })
  assigneeBefore!: string | null;

  @Column({ name: 'assignee_after', type: 'varchar', length: 128, nullable: true })
  assigneeAfter!: string | null;

  @Column({ name: 'status_before', type: 'varchar', length: 20, nullable: true })
  statusBefore!: TaskStatus | null;

  @Column({ name: 'status_after', type: 'varchar', length: 20, nullable: true })
  statusAfter!: TaskStatus | null;

  @Column({ name: 'due_before', type: 'timestamptz', precision: 3, nullable: true })
  dueBefore!: Date | null;

  @Column({ name: 'due_after', type: 'timestamptz', precision: 3, nullable: true })
  dueAfter!: Date | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

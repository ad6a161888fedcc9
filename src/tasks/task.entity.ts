import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { TASK_DESCRIPTION_MAX, TASK_TITLE_MAX, type TaskStatus } from './task.types';

/**
 * A task. Triggers of the Tasks migration keep two things true for every write path (save,
 * update, query builder, raw SQL): `version` goes up by one on every UPDATE, and every insert,
 * delete and change of assignee, status or due time is recorded in `task_changes` in the same
 * transaction (see TaskChangeRelay). Times have millisecond precision so that they round-trip
 * through JavaScript exactly (paging cursors, reminder ids).
 */
@Entity('tasks')
@Check('CHK_tasks_status', `"status" IN ('open', 'in_progress', 'done')`)
@Index('IDX_tasks_owner', ['ownerId', 'createdAt', 'id'])
@Index('IDX_tasks_assignee', ['assigneeId', 'createdAt', 'id'])
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 128 })
  ownerId!: string;

  @Column({ name: 'assignee_id', type: 'varchar', length: 128, nullable: true })
  assigneeId!: string | null;

  @Column({ type: 'varchar', length: TASK_TITLE_MAX })
  title!: string;

  @Column({ type: 'varchar', length: TASK_DESCRIPTION_MAX, default: '' })
  description!: string;

  @Column({ type: 'varchar', length: 20, default: 'open' })
  status!: TaskStatus;

  @Column({ name: 'due_at', type: 'timestamptz', precision: 3, nullable: true })
  dueAt!: Date | null;

  @VersionColumn({ type: 'integer', default: 1 })
  version!: number;

  /** Who made the last change: a status change is never announced to the one who made it. */
  @Column({ name: 'updated_by', type: 'varchar', length: 128 })
  updatedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}

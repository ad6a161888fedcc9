import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One assignment of a task to a user by someone else: the window of TaskAssignmentLimit. */
@Entity('task_assignments')
@Index('IDX_task_assignments_assignee', ['assigneeId', 'assignedAt'])
export class TaskAssignmentEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'assignee_id', type: 'varchar', length: 128 })
  assigneeId!: string;

  @Column({ name: 'assigned_by', type: 'varchar', length: 128 })
  assignedBy!: string;

  @CreateDateColumn({ name: 'assigned_at', type: 'timestamptz' })
  assignedAt!: Date;
}

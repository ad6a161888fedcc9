import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The assignee handed the task back: they are never assigned it, nor told about it, again. */
@Entity('task_handbacks')
export class TaskHandbackEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

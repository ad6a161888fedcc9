import type { TaskEntity } from './task.entity';
import type { TaskStatus, TaskView } from './task.types';

export function toTaskView(task: TaskEntity): TaskView {
  return {
    id: task.id,
    ownerId: task.ownerId,
    assigneeId: task.assigneeId,
    title: task.title,
    description: task.description,
    status: task.status,
    dueAt: task.dueAt ? task.dueAt.toISOString() : null,
    version: task.version,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/** A `tasks` row as `RETURNING *` gives it. */
export interface TaskRow {
  id: string;
  owner_id: string;
  assignee_id: string | null;
  title: string;
  description: string;
  status: TaskStatus;
  due_at: Date | null;
  version: number;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

export function rowToView(row: TaskRow): TaskView {
  return {
    id: row.id,
    ownerId: row.owner_id,
    assigneeId: row.assignee_id,
    title: row.title,
    description: row.description,
    status: row.status,
    dueAt: row.due_at ? row.due_at.toISOString() : null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The tasks queue: job names, payloads and job ids in one typed map. */
import type { TaskStatus } from './task.types';

export const TASKS_QUEUE = 'tasks';

/** One committed row of `task_changes`, as a job payload (times as ISO strings). */
export interface TaskChange {
  taskId: string;
  /** The task's version after the change (the last one, for a delete). */
  version: number;
  op: 'insert' | 'update' | 'delete';
  /** Who made the change (`updated_by` of the written row). */
  actorId: string;
  ownerId: string;
  title: string;
  assignee: { before: string | null; after: string | null };
  status: { before: TaskStatus | null; after: TaskStatus | null };
  dueAt: { before: string | null; after: string | null };
}

/** A reminder, scheduled for the task's `dueAt` at the time it was scheduled. */
export interface TaskDueJob {
  taskId: string;
  dueAt: string;
  /** Who scheduled it (the reminder's publisher); absent in jobs queued by earlier versions. */
  actorId?: string;
}

export interface TaskJobs {
  'task.created': TaskChange;
  'task.changed': TaskChange;
  'task.deleted': TaskChange;
  'task.due': TaskDueJob;
}

export type TaskJobName = keyof TaskJobs;

export const JOB_FOR_OP = {
  insert: 'task.created',
  update: 'task.changed',
  delete: 'task.deleted',
} as const satisfies Record<TaskChange['op'], TaskJobName>;

/**
 * Deterministic ids: a change relayed twice, or a job retried, names the same job and the same
 * stored notifications (NotificationStore dedupes by publication id), so nothing is sent twice.
 */
export const taskJobId = {
  change: (change: Pick<TaskChange, 'taskId' | 'version' | 'op'>): string =>
    change.op === 'update'
      ? `task-${change.taskId}-changed-${change.version}`
      : `task-${change.taskId}-${change.op === 'insert' ? 'created' : 'deleted'}`,
  due: (taskId: string, dueAtMs: number): string => `task-${taskId}-due-${dueAtMs}`,
};

export const publicationId = {
  assigned: (taskId: string, version: number): string => `task-${taskId}-assigned-${version}`,
  statusChanged: (taskId: string, version: number): string => `task-${taskId}-status-${version}`,
  due: (taskId: string, dueAtMs: number): string => `task-${taskId}-due-${dueAtMs}`,
};

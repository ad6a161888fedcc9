/** A task as the API shows it, and the values its fields may take (API.md, "Tasks"). */
export const TASK_STATUSES = ['open', 'in_progress', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_TITLE_MAX = 200;
export const TASK_DESCRIPTION_MAX = 5000;
/** Versions count from 1 in a Postgres integer column. */
export const TASK_VERSION_MAX = 2 ** 31 - 1;

export interface TaskView {
  id: string;
  ownerId: string;
  assigneeId: string | null;
  title: string;
  description: string;
  status: TaskStatus;
  dueAt: string | null;
  /** Optimistic-concurrency token (an extension): send it back with PATCH or as If-Match. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface TaskPage {
  items: TaskView[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

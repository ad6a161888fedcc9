/**
 * Who is told what about a task change or a due task. Pure functions: the processor stores and
 * pushes what they return.
 */
import { TITLE_MAX } from '../notifications/dto/limits';
import type { NotificationContent } from '../notifications/notification.types';
import { publicationId, type TaskChange } from './tasks.jobs';
import type { TaskStatus } from './task.types';

export interface PlannedNotification {
  /** The NotificationStore job id: the same change always plans the same id. */
  publicationId: string;
  userIds: string[];
  content: NotificationContent;
}

export interface DueTask {
  id: string;
  ownerId: string;
  assigneeId: string | null;
  title: string;
  status: TaskStatus;
  dueAt: Date;
}

export function notificationsForChange(change: TaskChange): PlannedNotification[] {
  if (change.op === 'delete') return [];
  const planned: PlannedNotification[] = [];
  const { before: from, after: to } = change.assignee;
  const newAssignee = to !== null && to !== from && to !== change.actorId ? to : null;
  if (newAssignee) {
    planned.push({
      publicationId: publicationId.assigned(change.taskId, change.version),
      userIds: [newAssignee],
      content: content('task.assigned', `Assigned to you: ${change.title}`, change.actorId, {
        body: `${change.actorId} assigned you a task.`,
        data: {
          taskId: change.taskId,
          ownerId: change.ownerId,
          assignedBy: change.actorId,
          status: change.status.after,
          dueAt: change.dueAt.after,
          version: change.version,
        },
      }),
    });
  }
  if (change.op === 'update' && change.status.before !== change.status.after) {
    // The other party: owner and assignee, never the one who made the change, and not someone
    // who is told about the task by the assignment above.
    const userIds = distinct([change.ownerId, to]).filter(
      (user) => user !== change.actorId && user !== newAssignee,
    );
    if (userIds.length) {
      planned.push({
        publicationId: publicationId.statusChanged(change.taskId, change.version),
        userIds,
        content: content(
          'task.status_changed',
          `${change.title}: ${change.status.after}`,
          change.actorId,
          {
            body: `${change.actorId} changed the status from ${change.status.before} to ${change.status.after}.`,
            data: {
              taskId: change.taskId,
              from: change.status.before,
              to: change.status.after,
              changedBy: change.actorId,
              version: change.version,
            },
          },
        ),
      });
    }
  }
  return planned;
}

/**
 * The reminder for a task as it is now, or null when it should no longer be sent. `actorId`:
 * the user whose change scheduled it, named as its publisher.
 */
export function dueNotification(task: DueTask, actorId: string): PlannedNotification | null {
  if (task.status === 'done') return null;
  const dueAt = task.dueAt.toISOString();
  return {
    publicationId: publicationId.due(task.id, task.dueAt.getTime()),
    userIds: distinct([task.ownerId, task.assigneeId]),
    content: content('task.due', `Due: ${task.title}`, actorId, {
      body: `The task is due at ${dueAt}.`,
      data: {
        taskId: task.id,
        ownerId: task.ownerId,
        assigneeId: task.assigneeId,
        status: task.status,
        dueAt,
      },
    }),
  };
}

/** Does a change move, create or end the task's reminder? */
export function affectsReminder(change: TaskChange): boolean {
  return (
    change.op !== 'update' ||
    change.dueAt.before !== change.dueAt.after ||
    (change.status.before === 'done') !== (change.status.after === 'done')
  );
}

function content(
  type: string,
  title: string,
  publisher: string,
  rest: { body: string; data: Record<string, unknown> },
): NotificationContent {
  const { body, data } = rest;
  return { type, title: clip(title, TITLE_MAX), body, data, topic: null, publisher };
}

/** At most `max` characters (code points, as Postgres counts them), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function distinct(users: (string | null)[]): string[] {
  return [...new Set(users.filter((user): user is string => user !== null))];
}

import {
  affectsReminder,
  clip,
  dueNotification,
  notificationsForChange,
} from './task-notifications';
import type { TaskChange } from './tasks.jobs';

const ID = '6f1c1a8e-6c57-4a59-9a57-0d1b7f0c2a11';

function change(overrides: Partial<TaskChange> = {}): TaskChange {
  return {
    taskId: ID,
    version: 2,
    op: 'update',
    actorId: 'alice',
    ownerId: 'alice',
    title: 'Write the report',
    assignee: { before: 'bob', after: 'bob' },
    status: { before: 'open', after: 'open' },
    dueAt: { before: null, after: null },
    ...overrides,
  };
}

const summary = (c: TaskChange) =>
  notificationsForChange(c).map((n) => [n.content.type, n.userIds, n.publicationId]);

describe('notificationsForChange', () => {
  it('tells the assignee of a new task, with an id derived from task and version', () => {
    const created = change({
      op: 'insert',
      version: 1,
      assignee: { before: null, after: 'bob' },
      status: { before: null, after: 'open' },
    });
    expect(summary(created)).toEqual([['task.assigned', ['bob'], `task-${ID}-assigned-1`]]);
  });

  it('tells nobody about a task assigned to its creator, or without assignee', () => {
    const self = change({ op: 'insert', assignee: { before: null, after: 'alice' } });
    const none = change({ op: 'insert', assignee: { before: null, after: null } });
    expect(summary(self)).toEqual([]);
    expect(summary(none)).toEqual([]);
  });

  it('tells a new assignee on reassignment, nobody on unassignment', () => {
    expect(summary(change({ assignee: { before: 'bob', after: 'carol' } }))).toEqual([
      ['task.assigned', ['carol'], `task-${ID}-assigned-2`],
    ]);
    expect(summary(change({ assignee: { before: 'bob', after: null } }))).toEqual([]);
  });

  it('names the acting user as publisher of what it plans', () => {
    const both = change({
      actorId: 'ops',
      assignee: { before: 'bob', after: 'carol' },
      status: { before: 'open', after: 'done' },
    });
    expect(notificationsForChange(both).map((n) => n.content.publisher)).toEqual(['ops', 'ops']);
  });

  it('tells the other party about a status change, never the one who made it', () => {
    const byAssignee = change({ actorId: 'bob', status: { before: 'open', after: 'done' } });
    const byOwner = change({ actorId: 'alice', status: { before: 'open', after: 'done' } });
    const byOther = change({ actorId: 'ops', status: { before: 'open', after: 'done' } });
    expect(summary(byAssignee)).toEqual([
      ['task.status_changed', ['alice'], `task-${ID}-status-2`],
    ]);
    expect(summary(byOwner)).toEqual([['task.status_changed', ['bob'], `task-${ID}-status-2`]]);
    expect(summary(byOther)[0][1]).toEqual(['alice', 'bob']);
  });

  it('does not tell a new assignee twice when status and assignee change together', () => {
    const both = change({
      assignee: { before: 'bob', after: 'carol' },
      status: { before: 'open', after: 'in_progress' },
    });
    expect(summary(both)).toEqual([['task.assigned', ['carol'], `task-${ID}-assigned-2`]]);
  });

  it('tells nobody about a self-assigned owner changing the status, or a delete', () => {
    const solo = change({
      assignee: { before: 'alice', after: 'alice' },
      status: { before: 'open', after: 'done' },
    });
    expect(summary(solo)).toEqual([]);
    expect(summary(change({ op: 'delete' }))).toEqual([]);
  });
});

describe('affectsReminder', () => {
  it('is true for inserts, deletes, due time changes and entering or leaving done', () => {
    expect(affectsReminder(change({ op: 'insert' }))).toBe(true);
    expect(affectsReminder(change({ op: 'delete' }))).toBe(true);
    expect(
      affectsReminder(change({ dueAt: { before: null, after: '2030-01-01T00:00:00.000Z' } })),
    ).toBe(true);
    expect(affectsReminder(change({ status: { before: 'open', after: 'done' } }))).toBe(true);
    expect(affectsReminder(change({ status: { before: 'done', after: 'open' } }))).toBe(true);
    expect(affectsReminder(change({ status: { before: 'open', after: 'in_progress' } }))).toBe(
      false,
    );
    expect(affectsReminder(change({ assignee: { before: 'bob', after: 'carol' } }))).toBe(false);
  });
});

describe('dueNotification', () => {
  const dueAt = new Date('2030-01-31T17:00:00.123Z');
  const task = {
    id: ID,
    ownerId: 'alice',
    assigneeId: 'bob',
    title: 'Ship',
    status: 'open' as const,
    dueAt,
  };

  it('goes to owner and assignee once each, keyed by the due time', () => {
    const planned = dueNotification(task, 'alice');
    expect(planned?.userIds).toEqual(['alice', 'bob']);
    expect(planned?.publicationId).toBe(`task-${ID}-due-${dueAt.getTime()}`);
    expect(dueNotification({ ...task, assigneeId: 'alice' }, 'alice')?.userIds).toEqual(['alice']);
  });

  it('is published by the user who scheduled it', () => {
    expect(dueNotification(task, 'carol')?.content.publisher).toBe('carol');
  });

  it('is null for a done task', () => {
    expect(dueNotification({ ...task, status: 'done' }, 'alice')).toBeNull();
  });

  it('keeps titles within 200 characters', () => {
    const planned = dueNotification({ ...task, title: 'x'.repeat(200) }, 'alice');
    expect(Array.from(planned?.content.title ?? '')).toHaveLength(200);
  });
});

describe('clip', () => {
  it('cuts at code points, not UTF-16 units', () => {
    expect(clip('😀😀😀', 2)).toBe('😀…');
    expect(clip('abc', 3)).toBe('abc');
  });
});

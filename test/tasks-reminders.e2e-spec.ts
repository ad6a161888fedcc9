/**
 * Reminders: `dueAt` schedules a delayed job in Redis that tells owner and assignee (task.due)
 * at that time; moving `dueAt` moves it, done or delete cancels it, it reads the task as it is
 * when it fires, and it survives a restart of the service.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { CreateTaskRequest, HeraldSocket } from '../src/client';
import type { NotificationView } from '../src/notifications/notification.types';
import { TASKS_QUEUE } from '../src/tasks/tasks.jobs';
import { throughMarker } from './support/marker';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ closeSocketsAfterEach: true });
const user = (name: string) => herald.user(name);

const tasksQueue = () => herald.get<Queue>(getQueueToken(TASKS_QUEUE));
const connect = (userId: string) => herald.connect(userId);

async function createDue(owner: string, inMs: number, body: Partial<CreateTaskRequest> = {}) {
  const dueAt = new Date(Date.now() + inMs);
  const task = await herald.task(owner, { title: 'Due soon', dueAt: dueAt.toISOString(), ...body });
  return { id: task.id, dueAt };
}

/** The next notification of `type` (others are skipped), and when it arrived. */
async function nextOfType(
  socket: HeraldSocket,
  type: string,
  timeoutMs: number,
): Promise<{ notification: NotificationView; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const notification = await socket.next('notification', Math.max(1, deadline - Date.now()));
    if (notification.type === type) return { notification, at: Date.now() };
  }
}

const dueTasks = (notifications: NotificationView[]) =>
  notifications.filter((n) => n.type === 'task.due').map((n) => n.data['taskId']);

/** Resolves once no job of the task is waiting, running or scheduled: every reminder ran. */
async function jobsSettled(taskId: string): Promise<void> {
  await eventually(
    async () => {
      const jobs = await tasksQueue().getJobs(['waiting', 'active', 'delayed']);
      return !jobs.some((job) => (job?.data as { taskId?: string } | undefined)?.taskId === taskId);
    },
    5000,
    `the jobs of task ${taskId} to settle`,
  );
}

/** The task.due reminders (their task ids) `userId` got before a marker published now. */
async function dueBeforeMarker(socket: HeraldSocket, userId: string): Promise<unknown[]> {
  return dueTasks((await throughMarker(socket, herald.url, userId)).before);
}

describe('reminders', () => {
  it('a task due in 2 s: owner and assignee get task.due at about that time', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    const { id, dueAt } = await createDue(alice, 2000, { assigneeId: bob });

    const [toOwner, toAssignee] = await Promise.all([
      nextOfType(aliceSocket, 'task.due', 5000),
      nextOfType(bobSocket, 'task.due', 5000),
    ]);
    for (const { notification, at } of [toOwner, toAssignee]) {
      expect(at).toBeGreaterThanOrEqual(dueAt.getTime() - 50);
      expect(at).toBeLessThan(dueAt.getTime() + 1500);
      expect(notification.data).toMatchObject({ taskId: id, dueAt: dueAt.toISOString() });
    }
    await jobsSettled(id);
    expect(await dueBeforeMarker(aliceSocket, alice)).toEqual([id]);
    expect(await dueBeforeMarker(bobSocket, bob)).toEqual([id]);
  });

  it('moving dueAt: the reminder comes at the new time only', async () => {
    const alice = user('alice');
    const socket = await connect(alice);
    const { id, dueAt } = await createDue(alice, 1500);
    const first = `task-${id}-due-${dueAt.getTime()}`;
    await eventually(() => tasksQueue().getJob(first), 1000, 'the first reminder');
    const moved = new Date(Date.now() + 3500);
    await herald.as(alice).tasks.update(id, { dueAt: moved.toISOString(), version: 1 });
    await eventually(
      async () => (await tasksQueue().getJob(first)) === null,
      1000,
      'the first reminder to be removed',
    );

    const { notification, at } = await nextOfType(socket, 'task.due', 6000);
    expect(at).toBeGreaterThanOrEqual(moved.getTime() - 50);
    expect(at).toBeLessThan(moved.getTime() + 1500);
    expect(notification.data).toMatchObject({ taskId: id, dueAt: moved.toISOString() });
    await jobsSettled(id);
    expect(await dueBeforeMarker(socket, alice)).toEqual([id]);
  });

  it('completing or deleting the task cancels its reminder', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    const done = await createDue(alice, 1500, { assigneeId: bob });
    const deleted = await createDue(alice, 1500);
    const queue = tasksQueue();
    const reminderOf = (task: { id: string; dueAt: Date }) =>
      queue.getJob(`task-${task.id}-due-${task.dueAt.getTime()}`);
    await eventually(async () => (await reminderOf(done)) && (await reminderOf(deleted)));

    await herald.as(bob).tasks.update(done.id, { status: 'done', version: 1 });
    await herald.as(alice).tasks.delete(deleted.id);
    await eventually(
      async () => !(await reminderOf(done)) && !(await reminderOf(deleted)),
      2000,
      'both reminders removed from Redis',
    );

    // A reminder due after the cancelled ones, to both: delayed jobs run in due order, so when
    // it has reached both sockets, a cancelled reminder that still fired would have come first.
    const later = await createDue(alice, done.dueAt.getTime() + 300 - Date.now(), {
      assigneeId: bob,
    });
    await Promise.all([
      nextOfType(aliceSocket, 'task.due', 5000),
      nextOfType(bobSocket, 'task.due', 5000),
    ]);
    expect(dueTasks(aliceSocket.all('notification'))).toEqual([later.id]);
    expect(dueTasks(bobSocket.all('notification'))).toEqual([later.id]);
  });

  it('acts on the task as it is when it fires: new assignee, new title', async () => {
    const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')];
    const [bobSocket, carolSocket] = await Promise.all([connect(bob), connect(carol)]);
    const { id } = await createDue(alice, 2000, { assigneeId: bob });
    await herald.as(alice).tasks.update(id, {
      assigneeId: carol,
      title: 'Renamed after scheduling',
      version: 1,
    });

    const { notification } = await nextOfType(carolSocket, 'task.due', 5000);
    expect(notification.title).toContain('Renamed after scheduling');
    expect(notification.data).toMatchObject({ taskId: id, assigneeId: carol });
    await jobsSettled(id);
    expect(await dueBeforeMarker(bobSocket, bob)).toEqual([]);
  });

  it('survives a restart: scheduled by one run of the service, sent by the next', async () => {
    const alice = user('alice');
    const { id, dueAt } = await createDue(alice, 3000);
    const reminder = `task-${id}-due-${dueAt.getTime()}`;
    await eventually(async () => (await tasksQueue().getJob(reminder))?.isDelayed());

    await herald.restart(0);
    const socket = await connect(alice);
    const { notification, at } = await nextOfType(socket, 'task.due', 6000);
    expect(notification.data).toMatchObject({ taskId: id });
    expect(at).toBeGreaterThanOrEqual(dueAt.getTime() - 50);
  });
});

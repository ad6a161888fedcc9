/**
 * Reminders: `dueAt` schedules a delayed job in Redis that tells owner and assignee (task.due)
 * at that time; moving `dueAt` moves it, done or delete cancels it, it reads the task as it is
 * when it fires, and it survives a restart of the service.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import type { NotificationView } from '../src/notifications/notification.types';
import { TASKS_QUEUE } from '../src/tasks/tasks.jobs';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { throughMarker } from './support/marker';
import { tokenFor } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('taskreminders');
let app: TestApp;
const sockets: TestSocket[] = [];
let userCount = 0;
const user = (name: string) => `${name}-${++userCount}`;

const tasksQueue = (on: TestApp = app) => on.app.get<Queue>(getQueueToken(TASKS_QUEUE));

function as(userId: string) {
  const auth = `Bearer ${tokenFor(userId)}`;
  return {
    create: (body: Record<string, unknown>) =>
      request(app.url).post('/v1/tasks').set('Authorization', auth).send(body),
    patch: (id: string, body: Record<string, unknown>) =>
      request(app.url).patch(`/v1/tasks/${id}`).set('Authorization', auth).send(body),
    remove: (id: string) => request(app.url).delete(`/v1/tasks/${id}`).set('Authorization', auth),
  };
}

async function connect(userId: string, on: TestApp = app): Promise<TestSocket> {
  const socket = await TestSocket.connect(on.wsUrl, tokenFor(userId));
  sockets.push(socket);
  return socket;
}

async function createDue(owner: string, inMs: number, body: Record<string, unknown> = {}) {
  const dueAt = new Date(Date.now() + inMs);
  const response = await as(owner).create({
    title: 'Due soon',
    dueAt: dueAt.toISOString(),
    ...body,
  });
  expect(response.status).toBe(201);
  return { id: (response.body as { id: string }).id, dueAt };
}

/** The next notification of `type` (others are skipped), and when it arrived. */
async function nextOfType(
  socket: TestSocket,
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
async function dueBeforeMarker(socket: TestSocket, userId: string): Promise<unknown[]> {
  return dueTasks((await throughMarker(socket, app.url, userId)).before);
}

beforeAll(async () => {
  app = await startTestApp(isolation);
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

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
    const response = await as(alice).patch(id, { dueAt: moved.toISOString(), version: 1 });
    expect(response.status).toBe(200);
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

    expect((await as(bob).patch(done.id, { status: 'done', version: 1 })).status).toBe(200);
    expect((await as(alice).remove(deleted.id)).status).toBe(204);
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
    const response = await as(alice).patch(id, {
      assigneeId: carol,
      title: 'Renamed after scheduling',
      version: 1,
    });
    expect(response.status).toBe(200);

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

    await app.close();
    app = await startTestApp(isolation);
    const socket = await connect(alice);
    const { notification, at } = await nextOfType(socket, 'task.due', 6000);
    expect(notification.data).toMatchObject({ taskId: id });
    expect(at).toBeGreaterThanOrEqual(dueAt.getTime() - 50);
  });
});

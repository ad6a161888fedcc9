/**
 * The notifications that committed task changes produce, whatever the write path (save,
 * repository update, query builder, raw SQL through the relay's sweep), never those of a
 * rollback, and never twice.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import type { CreateTaskRequest, HeraldSocket } from '../src/client';
import { TaskEntity } from '../src/tasks/task.entity';
import { TASKS_QUEUE } from '../src/tasks/tasks.jobs';
import { throughMarker } from './support/marker';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ closeSocketsAfterEach: true });
let queue: Queue;
let dataSource: DataSource;

beforeAll(() => {
  queue = herald.get<Queue>(getQueueToken(TASKS_QUEUE));
  dataSource = herald.get(DataSource);
});

/** A user name no other test uses, so sockets see only their own test's notifications. */
const user = (name: string) => herald.user(name);
const connect = (userId: string) => herald.connect(userId);
const createTask = async (owner: string, body: CreateTaskRequest) =>
  (await herald.task(owner, body)).id;

const anyString: unknown = expect.any(String);

/** Assigns by raw SQL: a write that raises no TypeORM event, so only the relay's sweep sees it. */
async function assignBySql(taskId: string, assigneeId: string, actorId: string): Promise<void> {
  await (
    await herald.db()
  ).query(`UPDATE tasks SET assignee_id = $1, updated_by = $2 WHERE id = $3`, [
    assigneeId,
    actorId,
    taskId,
  ]);
}

/** Resolves once the job with this id has run (its notifications are stored and pushed). */
async function jobDone(jobId: string): Promise<void> {
  await eventually(async () => (await queue.getJob(jobId))?.isCompleted(), 5000, `job ${jobId}`);
}

/** The types of what `userId`'s socket received before a marker published now (see marker.ts). */
async function typesBeforeMarker(socket: HeraldSocket, userId: string): Promise<string[]> {
  return (await throughMarker(socket, herald.url, userId)).before.map((n) => n.type);
}

describe('notifications from task changes', () => {
  it('create with an assignee: the assignee gets task.assigned through a task.created job, the owner nothing', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);

    const task = await herald.task(alice, { title: 'Write the report', assigneeId: bob });
    expect(task).toEqual({
      id: anyString,
      ownerId: alice,
      assigneeId: bob,
      title: 'Write the report',
      description: '',
      status: 'open',
      dueAt: null,
      version: 1,
      createdAt: anyString,
      updatedAt: anyString,
    });

    const assigned = await bobSocket.next('notification');
    expect(assigned).toMatchObject({
      userId: bob,
      type: 'task.assigned',
      data: { taskId: task.id, ownerId: alice, assignedBy: alice },
    });
    expect(assigned.title).toContain('Write the report');
    const job = await queue.getJob(`task-${task.id}-created`);
    expect(job?.name).toBe('task.created');
    await jobDone(`task-${task.id}-created`);
    expect(await typesBeforeMarker(aliceSocket, alice)).toEqual([]);
    expect(await typesBeforeMarker(bobSocket, bob)).toEqual(['task.assigned']);
  });

  it('a status change by the assignee tells the owner, not the assignee; one by the owner tells the assignee', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    const id = await createTask(alice, { title: 'Ship it', assigneeId: bob });
    await bobSocket.next('notification'); // task.assigned

    const byAssignee = await herald.as(bob).tasks.update(id, { status: 'in_progress', version: 1 });
    expect(byAssignee).toMatchObject({ status: 'in_progress', version: 2 });
    expect(await aliceSocket.next('notification')).toMatchObject({
      type: 'task.status_changed',
      data: { taskId: id, from: 'open', to: 'in_progress', changedBy: bob, version: 2 },
    });

    await herald.as(alice).tasks.update(id, { status: 'done' }, { ifMatch: 2 });
    expect(await bobSocket.next('notification')).toMatchObject({
      type: 'task.status_changed',
      data: { taskId: id, from: 'in_progress', to: 'done', changedBy: alice },
    });

    await jobDone(`task-${id}-changed-2`);
    await jobDone(`task-${id}-changed-3`);
    expect(await typesBeforeMarker(aliceSocket, alice)).toEqual(['task.status_changed']);
    expect(await typesBeforeMarker(bobSocket, bob)).toEqual([
      'task.assigned',
      'task.status_changed',
    ]);
  });

  it('reassignment tells the new assignee only', async () => {
    const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')];
    const [aliceSocket, bobSocket, carolSocket] = await Promise.all([
      connect(alice),
      connect(bob),
      connect(carol),
    ]);
    const id = await createTask(alice, { title: 'Review', assigneeId: bob });
    await bobSocket.next('notification');

    await herald.as(alice).tasks.update(id, { assigneeId: carol, version: 1 });
    expect(await carolSocket.next('notification')).toMatchObject({
      type: 'task.assigned',
      data: { taskId: id, assignedBy: alice, version: 2 },
    });
    await jobDone(`task-${id}-changed-2`);
    expect(await typesBeforeMarker(aliceSocket, alice)).toEqual([]);
    expect(await typesBeforeMarker(bobSocket, bob)).toEqual(['task.assigned']);
  });

  it('notices every write path: save, repository update and query builder at once, raw SQL by the sweep', async () => {
    const alice = user('alice');
    const tasks = dataSource.getRepository(TaskEntity);
    const writes: [string, (id: string, assignee: string) => Promise<unknown>][] = [
      [
        'save',
        async (id, assignee) =>
          tasks.save(
            Object.assign(await tasks.findOneByOrFail({ id }), {
              assigneeId: assignee,
              updatedBy: alice,
            }),
          ),
      ],
      ['update', (id, assignee) => tasks.update(id, { assigneeId: assignee, updatedBy: alice })],
      [
        'builder',
        (id, assignee) =>
          tasks
            .createQueryBuilder()
            .update(TaskEntity)
            .set({ assigneeId: assignee, updatedBy: alice })
            .where('id = :id', { id })
            .execute(),
      ],
    ];
    for (const [path, write] of writes) {
      const assignee = user(path);
      const socket = await connect(assignee);
      const id = await createTask(alice, { title: `via ${path}` });
      await eventually(() => queue.getJob(`task-${id}-created`), 2000, 'the created job');
      await write(id, assignee);
      // Relayed by the subscriber right after the commit, well before the 2 s sweep.
      await eventually(() => queue.getJob(`task-${id}-changed-2`), 500, `the ${path} change job`);
      expect(await socket.next('notification')).toMatchObject({
        type: 'task.assigned',
        data: { taskId: id, version: 2 },
      });
    }

    const viaSql = user('sql');
    const socket = await connect(viaSql);
    const id = await createTask(alice, { title: 'via raw SQL' });
    await assignBySql(id, viaSql, alice);
    expect(await socket.next('notification', 4000)).toMatchObject({
      type: 'task.assigned',
      data: { taskId: id, version: 2 },
    });
  });

  it('a change in a transaction that rolls back notifies nobody and queues no job', async () => {
    const [alice, mallory] = [user('alice'), user('mallory')];
    const mallorySocket = await connect(mallory);
    const id = await createTask(alice, { title: 'Secret plan' });
    const later = await createTask(alice, { title: 'Assigned by raw SQL, after the rollback' });
    const changeJob = `task-${id}-changed-2`;

    await expect(
      dataSource.transaction(async (manager) => {
        await manager.update(TaskEntity, id, { assigneeId: mallory, updatedBy: alice });
        await manager
          .createQueryBuilder()
          .update(TaskEntity)
          .set({ status: 'done', updatedBy: alice })
          .where('id = :id', { id })
          .execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    // Only a sweep of the relay after the rollback queues this change: that sweep would have
    // queued a leftover of the rolled-back change first.
    await assignBySql(later, mallory, alice);
    const db = await herald.db();
    expect(await mallorySocket.next('notification', 5000)).toMatchObject({
      type: 'task.assigned',
      seq: 1,
      data: { taskId: later },
    });
    const task = await db.query(`SELECT assignee_id, status, version FROM tasks WHERE id = $1`, [
      id,
    ]);
    expect(task.rows).toEqual([{ assignee_id: null, status: 'open', version: 1 }]);
    expect((await db.query(`SELECT 1 FROM task_changes WHERE task_id = $1`, [id])).rowCount).toBe(
      0,
    );
    expect(
      (await db.query(`SELECT 1 FROM notifications WHERE user_id = $1`, [mallory])).rowCount,
    ).toBe(1);
    expect(await queue.getJob(changeJob)).toBeNull();

    // The same change, committed, does notify and queue: the checks above could fail.
    await dataSource.transaction((manager) =>
      manager.update(TaskEntity, id, { assigneeId: mallory, updatedBy: alice }),
    );
    expect(await mallorySocket.next('notification')).toMatchObject({
      type: 'task.assigned',
      data: { taskId: id, version: 2 },
    });
    expect((await queue.getJob(changeJob))?.name).toBe('task.changed');
  });

  it('running the same change again (retry, stalled job, relayed twice) sends nothing twice', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const bobSocket = await connect(bob);
    const id = await createTask(alice, { title: 'Once only', assigneeId: bob });
    await bobSocket.next('notification');
    const first = await queue.getJob(`task-${id}-created`);
    expect(first).not.toBeNull();

    const again = await queue.add('task.created', first!.data, { jobId: `again-${id}` });
    await eventually(() => again.isCompleted(), 3000, 'the repeated job');
    const db = await herald.db();
    const rows = await db.query(`SELECT type FROM notifications WHERE user_id = $1`, [bob]);
    expect(rows.rows).toEqual([{ type: 'task.assigned' }]);
  });
});

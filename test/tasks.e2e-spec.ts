/**
 * Tasks: CRUD with its authorization rules and optimistic concurrency, and the notifications
 * that committed changes produce (whatever the write path), never those of a rollback.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TaskEntity } from '../src/tasks/task.entity';
import { TASKS_QUEUE } from '../src/tasks/tasks.jobs';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  sql,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { throughMarker } from './support/marker';
import { tokenFor } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('tasks');
let app: TestApp;
let queue: Queue;
let dataSource: DataSource;
const sockets: TestSocket[] = [];
let userCount = 0;

/** A user name no other test uses, so sockets see only their own test's notifications. */
const user = (name: string) => `${name}-${++userCount}`;

function as(userId: string, scope?: string) {
  const auth = `Bearer ${tokenFor(userId, scope ? { scope } : {})}`;
  return {
    create: (body: Record<string, unknown>) =>
      request(app.url).post('/v1/tasks').set('Authorization', auth).send(body),
    get: (id: string) => request(app.url).get(`/v1/tasks/${id}`).set('Authorization', auth),
    list: (query: Record<string, string | number> = {}) =>
      request(app.url).get('/v1/tasks').query(query).set('Authorization', auth),
    patch: (id: string, body: Record<string, unknown>, ifMatch?: string) => {
      const req = request(app.url).patch(`/v1/tasks/${id}`).set('Authorization', auth);
      return (ifMatch ? req.set('If-Match', ifMatch) : req).send(body);
    },
    remove: (id: string) => request(app.url).delete(`/v1/tasks/${id}`).set('Authorization', auth),
  };
}

async function connect(userId: string): Promise<TestSocket> {
  const socket = await TestSocket.connect(app.wsUrl, tokenFor(userId));
  sockets.push(socket);
  return socket;
}

async function createTask(owner: string, body: Record<string, unknown>): Promise<string> {
  const response = await as(owner).create(body);
  expect(response.status).toBe(201);
  return (response.body as { id: string }).id;
}

const anyString: unknown = expect.any(String);

/** Resolves once the job with this id has run (its notifications are stored and pushed). */
async function jobDone(jobId: string): Promise<void> {
  await eventually(async () => (await queue.getJob(jobId))?.isCompleted(), 5000, `job ${jobId}`);
}

/** The types of what `userId`'s socket received before a marker published now (see marker.ts). */
async function typesBeforeMarker(socket: TestSocket, userId: string): Promise<string[]> {
  return (await throughMarker(socket, app.url, userId)).before.map((n) => n.type);
}

beforeAll(async () => {
  app = await startTestApp(isolation);
  queue = app.app.get<Queue>(getQueueToken(TASKS_QUEUE));
  dataSource = app.app.get(DataSource);
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

describe('notifications from task changes', () => {
  it('create with an assignee: the assignee gets task.assigned through a task.created job, the owner nothing', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);

    const response = await as(alice).create({ title: 'Write the report', assigneeId: bob });
    expect(response.status).toBe(201);
    expect(response.headers['etag']).toBe('"1"');
    const task = response.body as { id: string };
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

    const byAssignee = await as(bob).patch(id, { status: 'in_progress', version: 1 });
    expect(byAssignee.status).toBe(200);
    expect(byAssignee.body).toMatchObject({ status: 'in_progress', version: 2 });
    expect(await aliceSocket.next('notification')).toMatchObject({
      type: 'task.status_changed',
      data: { taskId: id, from: 'open', to: 'in_progress', changedBy: bob, version: 2 },
    });

    const byOwner = await as(alice).patch(id, { status: 'done' }, '"2"');
    expect(byOwner.status).toBe(200);
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

    expect((await as(alice).patch(id, { assigneeId: carol, version: 1 })).status).toBe(200);
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
    const db = await sql(isolation);
    try {
      await db.query(`UPDATE tasks SET assignee_id = $1, updated_by = $2 WHERE id = $3`, [
        viaSql,
        alice,
        id,
      ]);
    } finally {
      await db.end();
    }
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

    const db = await sql(isolation);
    try {
      // A change that raises no TypeORM event, so only a sweep of the relay (after the rollback)
      // queues it: that sweep would have queued a leftover of the rolled-back change first.
      await db.query(`UPDATE tasks SET assignee_id = $1, updated_by = $2 WHERE id = $3`, [
        mallory,
        alice,
        later,
      ]);
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
    } finally {
      await db.end();
    }
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
    const db = await sql(isolation);
    try {
      const rows = await db.query(`SELECT type FROM notifications WHERE user_id = $1`, [bob]);
      expect(rows.rows).toEqual([{ type: 'task.assigned' }]);
    } finally {
      await db.end();
    }
  });
});

describe('authorization', () => {
  it('a stranger gets 404 on read, update and delete, and does not see the task in lists', async () => {
    const [alice, bob, eve] = [user('alice'), user('bob'), user('eve')];
    const id = await createTask(alice, { title: 'Private', assigneeId: bob });

    const hidden = await as(eve).get(id);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'task not found',
      requestId: anyString,
    });
    expect((await as(eve).patch(id, { status: 'done', version: 1 })).status).toBe(404);
    expect((await as(eve).patch(id, { title: 'mine now' })).status).toBe(404);
    expect((await as(eve).remove(id)).status).toBe(404);
    expect((await as(eve).get('not-a-uuid')).status).toBe(404);
    expect((await as(eve).list()).body).toEqual({ items: [], nextCursor: null });

    const task = await as(alice).get(id);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ title: 'Private', version: 1 });
    expect(task.headers['etag']).toBe('"1"');
    expect((await as(bob).get(id)).status).toBe(200);
  });

  it('the assignee may change the status but not the title, and may not delete', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const id = await createTask(alice, { title: 'Original' });
    expect((await as(alice).patch(id, { assigneeId: bob, version: 1 })).status).toBe(200);

    const retitle = await as(bob).patch(id, { title: 'Renamed', version: 2 });
    expect(retitle.status).toBe(403);
    expect((retitle.body as { message: string }).message).toContain('title');
    expect((await as(bob).patch(id, { status: 'done', title: 'x', version: 2 })).status).toBe(403);
    expect((await as(bob).remove(id)).status).toBe(403);
    expect((await as(alice).get(id)).body).toMatchObject({ title: 'Original', version: 2 });

    expect((await as(bob).patch(id, { status: 'in_progress', version: 2 })).status).toBe(200);
    expect((await as(alice).remove(id)).status).toBe(204);
    expect((await as(alice).get(id)).status).toBe(404);
  });

  it('creating for another owner needs tasks:write', async () => {
    const [alice, service] = [user('alice'), user('svc')];
    expect((await as(service).create({ title: 'For alice', ownerId: alice })).status).toBe(403);
    const created = await as(service, 'tasks:write').create({ title: 'For alice', ownerId: alice });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ownerId: alice });
    expect((await as(alice).get((created.body as { id: string }).id)).status).toBe(200);
  });
});

describe('optimistic concurrency', () => {
  it('of two concurrent updates based on the same version, one gets 409 with the current version', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const id = await createTask(alice, { title: 'Contended', assigneeId: bob });

    const [byOwner, byAssignee] = await Promise.all([
      as(alice).patch(id, { title: 'Owner edit', version: 1 }),
      as(bob).patch(id, { status: 'done' }, '"1"'),
    ]);
    expect([byOwner.status, byAssignee.status].sort()).toEqual([200, 409]);
    const loser = byOwner.status === 409 ? byOwner : byAssignee;
    expect(loser.body).toMatchObject({ statusCode: 409, error: 'Conflict', currentVersion: 2 });
    expect(loser.headers['etag']).toBe('"2"');
    // the one error body: the request id is the response's, never empty
    expect(loser.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((loser.body as { requestId: string }).requestId).toBe(loser.headers['x-request-id']);

    const now = (await as(alice).get(id)).body as { title: string; status: string };
    // Only the winner's change is in: neither was silently overwritten or merged.
    expect(
      byOwner.status === 200
        ? now.title === 'Owner edit' && now.status === 'open'
        : now.title === 'Contended' && now.status === 'done',
    ).toBe(true);
  });

  it('answers 428 without a version and 409 for a stale one', async () => {
    const alice = user('alice');
    const id = await createTask(alice, { title: 'v' });
    expect((await as(alice).patch(id, { title: 'no version' })).status).toBe(428);
    expect((await as(alice).patch(id, { title: 'v2', version: 1 })).status).toBe(200);
    const stale = await as(alice).patch(id, { title: 'stale' }, 'W/"1"');
    expect(stale.status).toBe(409);
    expect((stale.body as { currentVersion: number }).currentVersion).toBe(2);
    expect((await as(alice).patch(id, { title: 'x', version: 2 }, '"3"')).status).toBe(400);
  });
});

describe('listing and validation', () => {
  it('lists own and assigned tasks newest first, with filters and cursor paging', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push(await createTask(alice, { title: `mine ${i}` }));
    const assignedToAlice = await createTask(bob, { title: 'theirs', assigneeId: alice });
    await createTask(bob, { title: 'not hers' });
    expect((await as(alice).patch(mine[0], { status: 'done', version: 1 })).status).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(alice).list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      const body = page.body as { items: { id: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((t) => t.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([assignedToAlice, ...[...mine].reverse()]);

    const done = await as(alice).list({ status: 'done' });
    expect((done.body as { items: { id: string }[] }).items.map((t) => t.id)).toEqual([mine[0]]);
    const assigned = await as(alice).list({ assigneeId: alice });
    expect((assigned.body as { items: { id: string }[] }).items.map((t) => t.id)).toEqual([
      assignedToAlice,
    ]);
    expect((await as(alice).list({ cursor: 'garbage' })).status).toBe(400);
  });

  it('rejects bad input with 400 naming the field', async () => {
    const alice = user('alice');
    const cases: Record<string, unknown>[] = [
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 'ok', description: 'x'.repeat(5001) },
      { title: 'ok', status: 'closed' },
      { title: 'ok', dueAt: '2030-01-01T10:00:00' },
      { title: 'ok', unknown: 1 },
    ];
    for (const body of cases) {
      const response = await as(alice).create(body);
      expect(response.status).toBe(400);
    }
    const id = await createTask(alice, { title: 'ok' });
    expect((await as(alice).patch(id, { title: null, version: 1 })).status).toBe(400);
    expect((await as(alice).patch(id, { version: 1 })).status).toBe(400);
  });
});

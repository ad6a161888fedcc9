/**
 * Tasks as a way into someone else's inbox (issue 12): the assignee can hand a task back and is
 * never assigned it (nor told about it) again; assignments by others are limited per assignee
 * and hour across instances (429 + Retry-After); task notifications name the acting user as
 * their publisher and go through the one store-and-push step, so they are counted in
 * herald_notifications_published_total (issue 15).
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Client } from 'pg';
import request from 'supertest';
import { TASKS_QUEUE, taskJobId } from '../src/tasks/tasks.jobs';
import { eventually, type TestApp } from './support/test-app';
import { tokenFor } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({
  env: { TASK_ASSIGNMENTS_PER_HOUR: '3' },
  instances: 2,
  closeSocketsAfterEach: true,
});
let db: Client;

beforeAll(async () => {
  db = await herald.db();
});

/** Raw task calls as `userId`: these tests look at 201/404/429 and Retry-After. */
const as = (userId: string, app: TestApp = herald.app) => {
  const auth = `Bearer ${tokenFor(userId)}`;
  return {
    create: (body: Record<string, unknown>) =>
      request(app.url).post('/v1/tasks').set('Authorization', auth).send(body),
    /** Based on the task's current version (read directly: the caller may not see the task). */
    patch: async (id: string, body: Record<string, unknown>) => {
      const current = await db.query<{ version: number }>(
        'SELECT version FROM tasks WHERE id = $1',
        [id],
      );
      return request(app.url)
        .patch(`/v1/tasks/${id}`)
        .set('Authorization', auth)
        .send({ ...body, version: current.rows[0].version });
    },
    inbox: async () =>
      (
        (await request(app.url).get('/v1/notifications').set('Authorization', auth)).body as {
          items: { type: string; publisher: string; data: { taskId?: string } }[];
        }
      ).items,
  };
};

const connect = (userId: string) => herald.connect(userId);

/** herald_notifications_published_total summed over both instances. */
async function published(): Promise<number> {
  let total = 0;
  for (const app of herald.instances) {
    const text = (await request(app.url).get('/metrics')).text;
    const line = text
      .split('\n')
      .find((l) => l.startsWith('herald_notifications_published_total '));
    total += Number(line?.split(' ')[1]);
  }
  return total;
}

describe('task notifications', () => {
  it('name the acting user as publisher, over WebSocket and REST, and are counted', async () => {
    const bob = await connect('bob');
    const before = await published();
    const created = await as('alice').create({ title: 'Review the draft', assigneeId: 'bob' });
    expect(created.status).toBe(201);
    const frame = await bob.next('notification', 5000);
    expect(frame).toMatchObject({ type: 'task.assigned', publisher: 'alice', userId: 'bob' });
    expect((await as('bob').inbox())[0]).toMatchObject({
      type: 'task.assigned',
      publisher: 'alice',
    });
    await eventually(async () => (await published()) === before + 1, 5000, 'the metric counted');

    // A status change by the assignee names the assignee.
    const alice = await connect('alice');
    const id = (created.body as { id: string }).id;
    expect((await as('bob').patch(id, { status: 'done' })).status).toBe(200);
    expect(await alice.next('notification', 5000)).toMatchObject({
      type: 'task.status_changed',
      publisher: 'bob',
    });
  });

  it('a reminder queued by an earlier version (no actorId) is still sent, by the last writer', async () => {
    const created = await as('dora').create({ title: 'Old reminder', assigneeId: 'eli' });
    const id = (created.body as { id: string }).id;
    const row = await db.query<{ due_at: Date }>(
      `UPDATE tasks SET due_at = now() + interval '1 day' WHERE id = $1 RETURNING due_at`,
      [id],
    );
    const queue = herald.get<Queue>(getQueueToken(TASKS_QUEUE));
    await queue.add(
      'task.due',
      { taskId: id, dueAt: row.rows[0].due_at.toISOString() },
      { jobId: `legacy-due-${id}` },
    );
    const due = await eventually(
      async () => (await as('eli').inbox()).find((n) => n.type === 'task.due'),
      5000,
      'the reminder stored',
    );
    expect(due.publisher).toBe('dora');
  });
});

describe('handing a task back', () => {
  it('is allowed to the assignee, who can then never be assigned it again', async () => {
    const created = await as('olga').create({ title: 'Unwanted', assigneeId: 'pete' });
    const id = (created.body as { id: string }).id;
    expect((await as('pete').patch(id, { assigneeId: 'quinn' })).status).toBe(403);
    const back = await as('pete').patch(id, { assigneeId: null });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ assigneeId: null });

    const again = await as('olga').patch(id, { assigneeId: 'pete' });
    expect(again.status).toBe(403);
    expect(again.body.message).toContain('handed this task back');
    // Assigning someone else, then pete once more: still refused.
    const quinn = await as('olga').patch(id, { assigneeId: 'quinn' });
    expect(quinn.status).toBe(200);
    expect((await as('olga').patch(id, { assigneeId: 'pete' })).status).toBe(403);
    // Every change that was made (created, handed back, assigned to quinn) has been processed.
    expect(quinn.body).toMatchObject({ version: 3 });
    const queue = herald.get<Queue>(getQueueToken(TASKS_QUEUE));
    await processed(queue, taskJobId.change({ taskId: id, version: 1, op: 'insert' }));
    for (const version of [2, 3]) {
      await processed(queue, taskJobId.change({ taskId: id, version, op: 'update' }));
    }
    expect(
      (await as('pete').inbox()).filter((n) => n.data.taskId === id).map((n) => n.type),
    ).toEqual(['task.assigned']);

    // A write that bypasses the API (raw SQL) assigns pete again: he is still not told.
    const raw = await db.query<{ version: number }>(
      `UPDATE tasks SET assignee_id = 'pete', updated_by = 'olga' WHERE id = $1 RETURNING version`,
      [id],
    );
    const version = raw.rows[0].version;
    await processed(queue, taskJobId.change({ taskId: id, version, op: 'update' }));
    expect(
      (await as('pete').inbox()).filter((n) => n.data.taskId === id).map((n) => n.type),
    ).toEqual(['task.assigned']);
  });
});

describe('assignments by others', () => {
  it('are limited per assignee and hour across instances: 429 with Retry-After', async () => {
    // Three by two users on two instances fill vic's hour.
    await as('mal').create({ title: 'spam 1', assigneeId: 'vic' }).expect(201);
    await as('mal', herald.instance(1)).create({ title: 'spam 2', assigneeId: 'vic' }).expect(201);
    const own = await as('nat').create({ title: 'own task' });
    await as('nat', herald.instance(1)).create({ title: 'spam 3', assigneeId: 'vic' }).expect(201);

    const refused = await as('mal', herald.instance(1)).create({
      title: 'spam 4',
      assigneeId: 'vic',
    });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain('TASK_ASSIGNMENTS_PER_HOUR');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Reassigning counts too; the refused write changed nothing.
    const ownId = (own.body as { id: string }).id;
    expect((await as('nat').patch(ownId, { assigneeId: 'vic' })).status).toBe(429);
    const tasks = await db.query(`SELECT 1 FROM tasks WHERE assignee_id = 'vic'`);
    expect(tasks.rowCount).toBe(3);

    // vic's own tasks, and other assignees, are not limited by it.
    await as('vic').create({ title: 'mine', assigneeId: 'vic' }).expect(201);
    await as('mal').create({ title: 'for wes', assigneeId: 'wes' }).expect(201);
  });
});

/** Waits until the tasks job `jobId` (queued by the change relay) has completed. */
async function processed(queue: Queue, jobId: string): Promise<void> {
  await eventually(
    async () => (await (await queue.getJob(jobId))?.getState()) === 'completed',
    10_000,
    `${jobId} processed`,
  );
}

/**
 * Tasks over HTTP: CRUD with its authorization rules, optimistic concurrency (ETag, If-Match,
 * 409), listing and validation. The requests are raw: status codes and headers are the
 * subject. (tasks-notifications.e2e-spec.ts: the notifications task changes produce.)
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TaskEntity } from '../src/tasks/task.entity';
import { eventually } from './support/test-app';
import { tokenFor } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp();
const user = (name: string) => herald.user(name);

function as(userId: string, scope?: string) {
  const auth = `Bearer ${tokenFor(userId, scope ? { scope } : {})}`;
  return {
    create: (body: Record<string, unknown>) =>
      request(herald.url).post('/v1/tasks').set('Authorization', auth).send(body),
    get: (id: string) => request(herald.url).get(`/v1/tasks/${id}`).set('Authorization', auth),
    list: (query: Record<string, string | number> = {}) =>
      request(herald.url).get('/v1/tasks').query(query).set('Authorization', auth),
    patch: (id: string, body: Record<string, unknown>, ifMatch?: string) => {
      const req = request(herald.url).patch(`/v1/tasks/${id}`).set('Authorization', auth);
      return (ifMatch ? req.set('If-Match', ifMatch) : req).send(body);
    },
    /** Without a body, nothing is sent: no body and no Content-Type. */
    remove: (id: string, body?: Record<string, unknown>, ifMatch?: string) => {
      const req = request(herald.url).delete(`/v1/tasks/${id}`).set('Authorization', auth);
      const conditional = ifMatch ? req.set('If-Match', ifMatch) : req;
      return body ? conditional.send(body) : conditional;
    },
  };
}

const createTask = async (owner: string, body: { title: string; assigneeId?: string }) =>
  (await herald.task(owner, body)).id;

const anyString: unknown = expect.any(String);

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
    expect(created.headers['etag']).toBe('"1"');
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

  it('applies a PATCH that names no version and bumps the version; a stale one gets 409', async () => {
    const alice = user('alice');
    const id = await createTask(alice, { title: 'v' });
    const unconditional = await as(alice).patch(id, { title: 'no version' });
    expect(unconditional.status).toBe(200);
    expect(unconditional.body).toMatchObject({ title: 'no version', version: 2 });
    expect(unconditional.headers['etag']).toBe('"2"');
    expect((await as(alice).patch(id, { title: 'v3', version: 2 })).status).toBe(200);
    const stale = await as(alice).patch(id, { title: 'stale' }, 'W/"1"');
    expect(stale.status).toBe(409);
    expect((stale.body as { currentVersion: number }).currentVersion).toBe(3);
    expect((await as(alice).patch(id, { title: 'x', version: 3 }, '"4"')).status).toBe(400);
    expect((await as(alice).get(id)).body).toMatchObject({ title: 'v3', version: 3 });
  });

  it('applies both of two concurrent PATCHes that name no version, one after the other', async () => {
    const [alice, bob] = [user('alice'), user('bob')];
    const id = await createTask(alice, { title: 'Shared', assigneeId: bob });

    const [byOwner, byAssignee] = await Promise.all([
      as(alice).patch(id, { title: 'Owner edit' }),
      as(bob).patch(id, { status: 'done' }),
    ]);
    expect([byOwner.status, byAssignee.status]).toEqual([200, 200]);
    const versions = [byOwner.body, byAssignee.body].map((t) => (t as { version: number }).version);
    expect(versions.sort()).toEqual([2, 3]);
    // Each write set only its own field: neither undid the other.
    expect((await as(alice).get(id)).body).toMatchObject({
      title: 'Owner edit',
      status: 'done',
      version: 3,
    });
  });

  it('a PATCH without a version is checked against the task it writes, not an earlier read', async () => {
    const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')];
    const id = await createTask(alice, { title: 'Moving', assigneeId: bob });
    const db = await herald.db();
    const other = herald.get(DataSource).createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [id]);
      const byBob = as(bob)
        .patch(id, { status: 'done' })
        .then((response) => response);
      // Bob's PATCH is under way, waiting for the row, when the task moves to Carol.
      await eventually(
        async () =>
          (
            await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0].n > 0,
        5000,
        "bob's PATCH to wait for the task's row",
      );
      await other.manager.update(TaskEntity, id, { assigneeId: carol, updatedBy: alice });
      await other.commitTransaction();
      expect((await byBob).status).toBe(404);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    expect((await as(alice).get(id)).body).toMatchObject({
      assigneeId: carol,
      status: 'open',
      version: 2,
    });
  });

  it('DELETE takes the version from the body or If-Match, with the same rules as PATCH', async () => {
    const alice = user('alice');
    const id = await createTask(alice, { title: 'Doomed' });
    expect((await as(alice).patch(id, { title: 'Doomed v2' })).status).toBe(200);

    const stale = await as(alice).remove(id, { version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ statusCode: 409, error: 'Conflict', currentVersion: 2 });
    expect(stale.headers['etag']).toBe('"2"');
    expect((await as(alice).remove(id, {}, '"1"')).status).toBe(409);

    const disagree = await as(alice).remove(id, { version: 2 }, '"1"');
    expect(disagree.status).toBe(400);
    expect(disagree.body).toMatchObject({ message: ['version and If-Match disagree'] });
    const unknown = await as(alice).remove(id, { version: 2, force: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ message: ['property force should not exist'] });
    for (const version of [0, '2', 2.5, null]) {
      expect([version, (await as(alice).remove(id, { version })).status]).toEqual([version, 400]);
    }
    expect((await as(alice).get(id)).status).toBe(200);

    expect((await as(alice).remove(id, { version: 2 }, '"2"')).status).toBe(204);
    expect((await as(alice).get(id)).status).toBe(404);
  });

  it('DELETE without a version is applied, with or without an empty JSON body', async () => {
    const alice = user('alice');
    const [bare, empty] = [
      await createTask(alice, { title: 'a' }),
      await createTask(alice, { title: 'b' }),
    ];
    expect((await as(alice).patch(bare, { title: 'a2' })).status).toBe(200);

    const noBody = await as(alice).remove(bare);
    expect(noBody.request.getHeader('content-type')).toBeUndefined();
    expect(noBody.status).toBe(204);
    const emptyBody = await as(alice).remove(empty, {});
    expect(emptyBody.request.getHeader('content-type')).toBe('application/json');
    expect(emptyBody.status).toBe(204);
    expect((await as(alice).get(bare)).status).toBe(404);
    expect((await as(alice).get(empty)).status).toBe(404);
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

/** Validation, inbox paging, read state and its sync across a user's sockets, topics. */
import request from 'supertest';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { throughMarker } from './support/marker';
import { serviceToken, tokenFor } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('inbox');
let app: TestApp;
const service = `Bearer ${serviceToken()}`;
const as = (user: string) => `Bearer ${tokenFor(user)}`;

const publish = (body: Record<string, unknown>) =>
  request(app.url).post('/v1/notifications').set('Authorization', service).send(body);

async function inboxOf(
  user: string,
  query = '',
): Promise<{
  items: { id: string; seq: number; readAt: string | null; title: string }[];
  nextBefore: number | null;
}> {
  const response = await request(app.url)
    .get(`/v1/notifications${query}`)
    .set('Authorization', as(user));
  expect(response.status).toBe(200);
  return response.body;
}

async function seed(user: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++)
    await publish({ userIds: [user], type: 't', title: `n${i}` }).expect(202);
  await eventually(
    async () => (await inboxOf(user, '?limit=100')).items.length === count,
    8000,
    `${count} rows for ${user}`,
  );
}

beforeAll(async () => {
  app = await startTestApp(isolation);
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing title', { userIds: ['a'], type: 't' }, 'title'],
    ['missing type', { userIds: ['a'], title: 'x' }, 'type'],
    ['unknown field', { userIds: ['a'], type: 't', title: 'x', color: 'red' }, 'color'],
    ['oversized title', { userIds: ['a'], type: 't', title: 'x'.repeat(201) }, 'title'],
    ['oversized body', { userIds: ['a'], type: 't', title: 'x', body: 'x'.repeat(2001) }, 'body'],
    [
      'oversized data',
      { userIds: ['a'], type: 't', title: 'x', data: { blob: 'x'.repeat(9000) } },
      'data',
    ],
    ['data not an object', { userIds: ['a'], type: 't', title: 'x', data: [1, 2] }, 'data'],
    [
      'too many recipients',
      { userIds: Array.from({ length: 10001 }, (_, i) => `u${i}`), type: 't', title: 'x' },
      'userIds',
    ],
    ['empty recipients', { userIds: [], type: 't', title: 'x' }, 'userIds'],
    ['a user id too long', { userIds: ['u'.repeat(129)], type: 't', title: 'x' }, 'userIds'],
    ['neither userIds nor topic', { type: 't', title: 'x' }, 'userIds'],
    ['both userIds and topic', { userIds: ['a'], topic: 'news', type: 't', title: 'x' }, 'topic'],
    ['a bad topic', { topic: 'no spaces allowed', type: 't', title: 'x' }, 'topic'],
    [
      'an oversized idempotency key',
      { userIds: ['a'], type: 't', title: 'x', idempotencyKey: 'k'.repeat(201) },
      'idempotencyKey',
    ],
  ];

  it.each(cases)('answers 400 naming the field for %s', async (_name, body, field) => {
    const response = await publish(body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      requestId: expect.any(String),
    });
    expect(JSON.stringify(response.body.message)).toContain(field);
  });

  it('answers 413 for a 1.5 MiB body', async () => {
    const response = await publish({
      userIds: ['a'],
      type: 't',
      title: 'x',
      body: 'x'.repeat(1.5 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      requestId: expect.any(String),
    });
  });

  it('answers 400 in the error shape for malformed JSON', async () => {
    const response = await request(app.url)
      .post('/v1/notifications')
      .set('Authorization', service)
      .set('Content-Type', 'application/json')
      .send('{"userIds": [');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toContain('at JSON.parse'); // no stack
  });

  it('validates inbox queries', async () => {
    for (const query of ['?limit=0', '?limit=101', '?before=-1', '?after=abc', '?unread=maybe']) {
      const response = await request(app.url)
        .get(`/v1/notifications${query}`)
        .set('Authorization', as('a'));
      expect(response.status).toBe(400);
    }
  });

  it('echoes a sane X-Request-Id and uses it in errors', async () => {
    const response = await request(app.url)
      .get('/v1/notifications')
      .set('X-Request-Id', 'trace-123');
    expect(response.headers['x-request-id']).toBe('trace-123');
    expect(response.body.requestId).toBe('trace-123');
  });
});

describe('inbox', () => {
  it('pages newest first with nextBefore, and oldest first with after', async () => {
    await seed('pia', 5);
    const first = await inboxOf('pia', '?limit=2');
    expect(first.items.map((n) => n.seq)).toEqual([5, 4]);
    expect(first.nextBefore).toBe(4);
    const second = await inboxOf('pia', `?limit=2&before=${first.nextBefore}`);
    expect(second.items.map((n) => n.seq)).toEqual([3, 2]);
    const last = await inboxOf('pia', `?limit=2&before=2`);
    expect(last.items.map((n) => n.seq)).toEqual([1]);
    expect(last.nextBefore).toBeNull();
    const after = await inboxOf('pia', '?after=3');
    expect(after.items.map((n) => n.seq)).toEqual([4, 5]);
  });

  it('counts unread, marks one / many / all read and filters unread', async () => {
    await seed('quinn', 4);
    const unread = () =>
      request(app.url).get('/v1/notifications/unread-count').set('Authorization', as('quinn'));
    expect((await unread()).body).toEqual({ count: 4 });
    const { items } = await inboxOf('quinn');
    const one = await request(app.url)
      .post(`/v1/notifications/${items[0].id}/read`)
      .set('Authorization', as('quinn'));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: items[0].id, readAt: expect.any(String) });
    expect((await unread()).body).toEqual({ count: 3 });
    const many = await request(app.url)
      .post('/v1/notifications/read')
      .set('Authorization', as('quinn'))
      .send({ ids: [items[1].id, items[2].id] });
    expect(many.body).toEqual({ updated: 2 });
    expect((await inboxOf('quinn', '?unread=true')).items.map((n) => n.id)).toEqual([items[3].id]);
    const all = await request(app.url)
      .post('/v1/notifications/read-all')
      .set('Authorization', as('quinn'));
    expect(all.body).toEqual({ updated: 1 });
    expect((await unread()).body).toEqual({ count: 0 });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await request(app.url)
        .post(`/v1/notifications/${id}/read`)
        .set('Authorization', as('quinn'));
      expect(response.status).toBe(404);
    }
  });
});

describe('read sync', () => {
  it("pushes read and unread to the user's other sockets when one device marks read", async () => {
    await seed('rosa', 3);
    const phone = await TestSocket.connect(app.wsUrl, tokenFor('rosa'));
    const laptop = await TestSocket.connect(app.wsUrl, tokenFor('rosa'));
    const { items } = await inboxOf('rosa');

    await request(app.url)
      .post(`/v1/notifications/${items[0].id}/read`)
      .set('Authorization', as('rosa'))
      .expect(200);
    expect(await laptop.next('read')).toEqual({ ids: [items[0].id], readAt: expect.any(String) });
    expect(await laptop.next('unread')).toEqual({ count: 2 });
    expect(await phone.next('read')).toEqual({ ids: [items[0].id], readAt: expect.any(String) });
    expect(await phone.next('unread')).toEqual({ count: 2 });

    phone.send('read', { ids: [items[1].id] });
    expect(await laptop.next('read')).toMatchObject({ ids: [items[1].id] });
    expect(await laptop.next('unread')).toEqual({ count: 1 });
    expect(await phone.next('read')).toMatchObject({ ids: [items[1].id] }); // the sender's own device too
    expect(await phone.next('unread')).toEqual({ count: 1 });

    laptop.send('read.all');
    expect(await phone.next('read')).toMatchObject({ ids: [items[2].id], all: true });
    expect(await phone.next('unread')).toEqual({ count: 0 });
    phone.close();
    laptop.close();
  });
});

describe('topics', () => {
  it('delivers a topic publish to current subscribers only, with topic set', async () => {
    const put = await request(app.url)
      .put('/v1/topics/releases/subscribers')
      .set('Authorization', service)
      .send({ userIds: ['sam', 'tess'] });
    expect(put.body).toEqual({ added: 2 });
    expect(
      (
        await request(app.url)
          .put('/v1/topics/releases/subscribers')
          .set('Authorization', service)
          .send({ userIds: ['sam'] })
      ).body,
    ).toEqual({ added: 0 });
    await request(app.url)
      .put('/v1/topics/releases')
      .set('Authorization', service)
      .send({ selfSubscribe: true })
      .expect(200);
    await request(app.url)
      .put('/v1/me/topics/releases')
      .set('Authorization', as('uma'))
      .expect(204);
    await request(app.url)
      .delete('/v1/topics/releases/subscribers/tess')
      .set('Authorization', service)
      .expect(204);
    expect(
      (await request(app.url).get('/v1/me/topics').set('Authorization', as('uma'))).body,
    ).toEqual({ topics: ['releases'] });

    const sam = await TestSocket.connect(app.wsUrl, tokenFor('sam'));
    const tess = await TestSocket.connect(app.wsUrl, tokenFor('tess'));
    await publish({ topic: 'releases', type: 'release', title: 'v2 is out' }).expect(202);
    expect(await sam.next('notification')).toMatchObject({
      topic: 'releases',
      title: 'v2 is out',
      userId: 'sam',
    });
    // The publish's rows are stored in one go: tess's, had she still been subscribed, with sam's.
    const toTess = await throughMarker(tess, app.url, 'tess');
    expect(toTess.before).toEqual([]);
    expect(toTess.marker.seq).toBe(1);
    expect((await inboxOf('uma')).items[0]).toMatchObject({ title: 'v2 is out' });

    await request(app.url)
      .delete('/v1/me/topics/releases')
      .set('Authorization', as('uma'))
      .expect(204);
    expect(
      (await request(app.url).get('/v1/me/topics').set('Authorization', as('uma'))).body,
    ).toEqual({ topics: [] });
    sam.close();
    tess.close();
  });

  it("needs notifications:write to manage other users' subscriptions", async () => {
    const response = await request(app.url)
      .put('/v1/topics/releases/subscribers')
      .set('Authorization', as('uma'))
      .send({ userIds: ['uma'] });
    expect(response.status).toBe(403);
  });
});

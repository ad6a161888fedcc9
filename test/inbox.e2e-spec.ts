/** Validation, inbox paging, read state and its sync across a user's sockets, topics. */
import request from 'supertest';
import { HeraldError } from '../src/client';
import { throughMarker } from './support/marker';
import { serviceToken, tokenFor } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ closeSocketsAfterEach: true });
const service = `Bearer ${serviceToken()}`;

/** The raw answer to a publish: these tests look at the error body as it is on the wire. */
const publish = (body: Record<string, unknown>) =>
  request(herald.url).post('/v1/notifications').set('Authorization', service).send(body);

const seqs = (page: { items: { seq: number }[] }) => page.items.map((n) => n.seq);

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
    const response = await request(herald.url)
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
      const response = await request(herald.url)
        .get(`/v1/notifications${query}`)
        .set('Authorization', `Bearer ${tokenFor('a')}`);
      expect(response.status).toBe(400);
    }
  });

  it('echoes a sane X-Request-Id and uses it in errors', async () => {
    const response = await request(herald.url)
      .get('/v1/notifications')
      .set('X-Request-Id', 'trace-123');
    expect(response.headers['x-request-id']).toBe('trace-123');
    expect(response.body.requestId).toBe('trace-123');
  });
});

describe('inbox', () => {
  it('pages newest first with nextBefore, and oldest first with after', async () => {
    await herald.seed('pia', 5);
    const pia = herald.as('pia').inbox;
    const first = await pia.list({ limit: 2 });
    expect(seqs(first)).toEqual([5, 4]);
    expect(first.nextBefore).toBe(4);
    expect(seqs(await pia.list({ limit: 2, before: first.nextBefore! }))).toEqual([3, 2]);
    const last = await pia.list({ limit: 2, before: 2 });
    expect(seqs(last)).toEqual([1]);
    expect(last.nextBefore).toBeNull();
    expect(seqs(await pia.list({ after: 3 }))).toEqual([4, 5]);
  });

  it('counts unread, marks one / many / all read and filters unread', async () => {
    await herald.seed('quinn', 4);
    const quinn = herald.as('quinn').inbox;
    expect(await quinn.unreadCount()).toBe(4);
    const { items } = await quinn.list();
    expect(await quinn.read(items[0].id)).toMatchObject({
      id: items[0].id,
      readAt: expect.any(String),
    });
    expect(await quinn.unreadCount()).toBe(3);
    expect(await quinn.readMany([items[1].id, items[2].id])).toEqual({ updated: 2 });
    expect((await quinn.list({ unread: 'true' })).items.map((n) => n.id)).toEqual([items[3].id]);
    expect(await quinn.readAll()).toEqual({ updated: 1 });
    expect(await quinn.unreadCount()).toBe(0);
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const refused = await herald
        .as('quinn')
        .inbox.read(id)
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HeraldError);
      expect((refused as HeraldError).status).toBe(404);
    }
  });
});

describe('read sync', () => {
  it("pushes read and unread to the user's other sockets when one device marks read", async () => {
    await herald.seed('rosa', 3);
    const phone = await herald.connect('rosa');
    const laptop = await herald.connect('rosa');
    const { items } = await herald.as('rosa').inbox.list();

    await herald.as('rosa').inbox.read(items[0].id);
    expect(await laptop.next('read')).toEqual({ ids: [items[0].id], readAt: expect.any(String) });
    expect(await laptop.next('unread')).toEqual({ count: 2 });
    expect(await phone.next('read')).toEqual({ ids: [items[0].id], readAt: expect.any(String) });
    expect(await phone.next('unread')).toEqual({ count: 2 });

    phone.send('read', { ids: [items[1].id] });
    expect(await laptop.next('read')).toMatchObject({ ids: [items[1].id] });
    expect(await laptop.next('unread')).toEqual({ count: 1 });
    expect(await phone.next('read')).toMatchObject({ ids: [items[1].id] }); // the sender's own device too
    expect(await phone.next('unread')).toEqual({ count: 1 });

    laptop.send('read.all', {});
    expect(await phone.next('read')).toMatchObject({ ids: [items[2].id], all: true });
    expect(await phone.next('unread')).toEqual({ count: 0 });
  });
});

describe('topics', () => {
  it('delivers a topic publish to current subscribers only, with topic set', async () => {
    const topics = herald.service.topics;
    expect(await topics.addSubscribers('releases', ['sam', 'tess'])).toBe(2);
    expect(await topics.addSubscribers('releases', ['sam'])).toBe(0);
    await topics.set('releases', { selfSubscribe: true });
    await herald.as('uma').topics.subscribe('releases');
    await topics.removeSubscriber('releases', 'tess');
    expect(await herald.as('uma').topics.mine()).toEqual(['releases']);

    const sam = await herald.connect('sam');
    const tess = await herald.connect('tess');
    await herald.publish({ topic: 'releases' }, { type: 'release', title: 'v2 is out' });
    expect(await sam.next('notification')).toMatchObject({
      topic: 'releases',
      title: 'v2 is out',
      userId: 'sam',
    });
    // The publish's rows are stored in one go: tess's, had she still been subscribed, with sam's.
    const toTess = await throughMarker(tess, herald.url, 'tess');
    expect(toTess.before).toEqual([]);
    expect(toTess.marker.seq).toBe(1);
    expect((await herald.as('uma').inbox.list()).items[0]).toMatchObject({ title: 'v2 is out' });

    await herald.as('uma').topics.unsubscribe('releases');
    expect(await herald.as('uma').topics.mine()).toEqual([]);
  });

  it("needs notifications:write to manage other users' subscriptions", async () => {
    const refused = await herald
      .as('uma')
      .topics.addSubscribers('releases', ['uma'])
      .catch((error: unknown) => error);
    expect((refused as HeraldError).status).toBe(403);
  });
});

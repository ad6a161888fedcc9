/**
 * Topic access and fan-out caps (issue 12): users subscribe themselves only to topics a service
 * opened; a topic's and a user's subscriptions are capped; a topic counts as its subscribers in
 * a request's 10,000-recipient budget.
 */
import request from 'supertest';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

const service = `Bearer ${serviceToken()}`;
const as = (userId: string) => `Bearer ${tokenFor(userId)}`;

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

const setTopic = (topic: string, body: unknown, auth = service) =>
  request(herald.url)
    .put(`/v1/topics/${topic}`)
    .set('Authorization', auth)
    .send(body as object);
const getTopic = (topic: string, auth = service) =>
  request(herald.url).get(`/v1/topics/${topic}`).set('Authorization', auth);
const addSubscribers = (topic: string, userIds: string[]) =>
  request(herald.url)
    .put(`/v1/topics/${topic}/subscribers`)
    .set('Authorization', service)
    .send({ userIds });
const subscribeMe = (topic: string, userId: string) =>
  request(herald.url).put(`/v1/me/topics/${topic}`).set('Authorization', as(userId));
const unsubscribeMe = (topic: string, userId: string) =>
  request(herald.url).delete(`/v1/me/topics/${topic}`).set('Authorization', as(userId));
const myTopics = async (userId: string) =>
  (
    (await request(herald.url).get('/v1/me/topics').set('Authorization', as(userId))).body as {
      topics: string[];
    }
  ).topics;

const herald = useTestApp({ env: { TOPIC_MAX_SUBSCRIBERS: '6000', USER_MAX_TOPICS: '3' } });

describe('subscribing oneself', () => {
  it('is refused for a topic that does not exist or that no service opened', async () => {
    const missing = await subscribeMe('acme.invoices', 'mallory');
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({
      statusCode: 403,
      message: expect.stringContaining('not open'),
    });

    await addSubscribers('acme.invoices', ['accountant']).expect(200);
    expect((await subscribeMe('acme.invoices', 'mallory')).status).toBe(403);
    expect(await myTopics('mallory')).toEqual([]);
    expect((await getTopic('acme.invoices')).body).toEqual({
      topic: 'acme.invoices',
      selfSubscribe: false,
      subscribers: 1,
    });
  });

  it('works on an opened topic, which then delivers to the user; unsubscribing always works', async () => {
    expect((await setTopic('releases', { selfSubscribe: true })).body).toEqual({
      topic: 'releases',
      selfSubscribe: true,
      subscribers: 0,
    });
    await subscribeMe('releases', 'rae').expect(204);
    expect((await getTopic('releases')).body).toMatchObject({ subscribers: 1 });
    const socket = await herald.connect('rae');
    await herald.publish({ topic: 'releases' }, { type: 'release', title: 'v3' });
    expect(await socket.next('notification')).toMatchObject({ topic: 'releases', title: 'v3' });

    // Closed again: staying subscribed is the service's call, leaving is always the user's.
    await setTopic('releases', { selfSubscribe: false }).expect(200);
    await unsubscribeMe('releases', 'rae').expect(204);
    expect(await myTopics('rae')).toEqual([]);
    expect((await subscribeMe('releases', 'rae')).status).toBe(403);
    await unsubscribeMe('never-existed', 'rae').expect(204);
    expect((await getTopic('releases')).body).toMatchObject({ subscribers: 0 });
  });
});

describe('PUT and GET /v1/topics/:topic', () => {
  it('need notifications:write, a boolean selfSubscribe, and answer 404 for no topic', async () => {
    expect((await setTopic('news', { selfSubscribe: true }, as('mallory'))).status).toBe(403);
    expect((await getTopic('news', as('mallory'))).status).toBe(403);
    const bad = await setTopic('news', { selfSubscribe: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('selfSubscribe');
    expect((await setTopic('news', { selfSubscribe: true, extra: 1 })).status).toBe(400);
    expect((await setTopic('news', {})).status).toBe(400);
    const missing = await getTopic('news');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404 });
  });
});

describe('fan-out caps', () => {
  it('refuses a topic past TOPIC_MAX_SUBSCRIBERS, adding none of the request', async () => {
    await addSubscribers('crowd', many('crowd', 5999)).expect(200);
    const over = await addSubscribers('crowd', ['late-1', 'late-2']);
    expect(over.status).toBe(409);
    expect(over.body.message).toContain('TOPIC_MAX_SUBSCRIBERS is 6000');
    expect((await getTopic('crowd')).body).toMatchObject({ subscribers: 5999 });
    expect(await myTopics('late-1')).toEqual([]);
    await addSubscribers('crowd', ['late-1']).expect(200);
    expect((await getTopic('crowd')).body).toMatchObject({ subscribers: 6000 });
  });

  it('refuses a user more than USER_MAX_TOPICS topics, by a service or by themselves', async () => {
    for (const topic of ['t1', 't2', 't3']) await addSubscribers(topic, ['busy']).expect(200);
    const viaService = await addSubscribers('t4', ['busy', 'idle']);
    expect(viaService.status).toBe(409);
    expect(viaService.body.message).toContain('USER_MAX_TOPICS (3)');
    expect(viaService.body.message).toContain('busy');
    expect(await myTopics('idle')).toEqual([]); // nothing of the refused request was added
    await setTopic('t5', { selfSubscribe: true }).expect(200);
    expect((await subscribeMe('t5', 'busy')).status).toBe(409);

    await unsubscribeMe('t1', 'busy').expect(204);
    await subscribeMe('t5', 'busy').expect(204);
    expect(await myTopics('busy')).toEqual(['t2', 't3', 't5']);
  });

  it("counts a topic's subscribers in a request's 10,000-recipient budget", async () => {
    await addSubscribers('wide', many('wide', 5000)).expect(200);
    const publish = (body: object) =>
      request(herald.url).post('/v1/notifications/batch').set('Authorization', service).send(body);
    const two = await publish({
      notifications: [
        { topic: 'wide', type: 'b', title: 't' },
        { userIds: many('named', 5001), type: 'b', title: 't' },
      ],
    });
    expect(two.status).toBe(400);
    expect(JSON.stringify(two.body)).toContain('at most 10000 userIds in all');
    expect(JSON.stringify(two.body)).toContain('not 10001');

    const fits = await publish({
      notifications: [
        { topic: 'wide', type: 'b', title: 't' },
        { userIds: many('named', 5000), type: 'b', title: 't' },
      ],
    });
    expect(fits.status).toBe(202);
  });

  it('answers a topic publish promptly while Postgres cannot say its size, counting its cap', async () => {
    await addSubscribers('held', ['held-1', 'held-2']).expect(200);
    // Another session holds the topics table: the size lookup waits until it lets go.
    const db = await herald.db();
    await db.query('BEGIN');
    await db.query('LOCK TABLE topics IN ACCESS EXCLUSIVE MODE');
    const publish = (topic: string) =>
      request(herald.url)
        .post('/v1/notifications')
        .set('Authorization', service)
        .send({ topic, type: 'b', title: 'held back' });
    let statuses: number[];
    try {
      // Answered while the lock is still held: without the lookup's own deadline each would
      // wait for statement_timeout (10 s), which this client's 8 s timeout would cut.
      statuses = await Promise.all(
        ['held', 'held'].map(async (topic) => (await publish(topic).timeout(8000)).status),
      );
    } finally {
      await db.query('ROLLBACK');
    }
    // Counted at its cap (6,000 here), each publish fits the budget: accepted.
    expect(statuses).toEqual([202, 202]);
    // Once the lock is gone they are stored, one row per subscriber each.
    await herald.stored('held-1', 2);
  });
});

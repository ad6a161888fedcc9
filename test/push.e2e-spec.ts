/**
 * Web Push end to end against a push service of the test's own (HTTPS on 127.0.0.1, VAPID
 * checked, aes128gcm decrypted): subscriptions, who gets a push, and what the push service's
 * answers do to a subscription.
 * Length: one subject, Web Push, on one costly fixture every test here shares (an HTTPS push
 * service and a two-instance deployment configured for it); split, each part would boot both.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import webpush from 'web-push';
import { PUSH_QUEUE, type PushDecideJobData } from '../src/push/push.jobs';
import { PushQueue } from '../src/push/push.queue';
import type { PublishRequest } from '../src/client';
import { TestPushService, type BrowserSubscription } from './support/push-service';
import { eventually, type TestApp } from './support/test-app';
import { tokenFor } from './support/tokens';
import { TestStream } from './support/sse-client';
import { useTestApp } from './support/use-test-app';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:push-tests@example.com';
let push: TestPushService;

function pushEnv(service: TestPushService, extra: Record<string, string> = {}) {
  return {
    WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
    WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    WEB_PUSH_SUBJECT: SUBJECT,
    WEB_PUSH_ALLOWED_ORIGINS: service.origin,
    WEB_PUSH_ALLOW_PRIVATE_HOSTS: 'true',
    WEB_PUSH_EXTRA_CA: service.certPem,
    ...extra,
  };
}

// The push service first: the app's configuration names its origin and certificate.
beforeAll(async () => {
  push = await TestPushService.start(vapid.publicKey, SUBJECT);
});
// Two instances of the deployment.
const herald = useTestApp({ env: () => pushEnv(push), instances: 2 });
afterAll(() => push?.close()); // after the apps close (Jest runs afterAll in declaration order)

/** POST /v1/me/push-subscriptions as `user`, raw: the tests look at 200/201/400. */
const subscribe = (app: TestApp, user: string, body: unknown) =>
  herald
    .as(user, { on: app })
    .request<{ id: string; message: unknown }>('POST', '/v1/me/push-subscriptions', { body });

async function subscribed(user: string): Promise<BrowserSubscription> {
  const subscription = push.subscription();
  expect((await subscribe(herald.app, user, subscription)).status).toBe(201);
  return subscription;
}

const publish = (body: Partial<PublishRequest>) =>
  herald.service.publish({ type: 'test.push', title: 'Hello', ...body });

/** Waits for `count` pushes to `endpoint`; answers them. */
const pushesTo = (endpoint: string, count = 1, what = `${count} push(es)`) =>
  eventually(() => (push.to(endpoint).length >= count ? push.to(endpoint) : null), 15_000, what);

const pushQueue = () => herald.get<Queue>(getQueueToken(PUSH_QUEUE));

/** The notification ids of every push the push service has received. */
const pushedIds = () => push.received.map((r) => r.payload?.id);

/**
 * Waits until the push decision on notification `id` has run: its pushes are sent within it
 * (a batch that fails is queued as a push-batch job; none fails here), so whatever it sends
 * has reached the push service by then.
 */
const decided = (id: string) =>
  eventually(
    async () => {
      const done = await pushQueue().getJobs(['completed']);
      return done.some(
        (job) =>
          job.name === 'push-decide' &&
          (job.data as PushDecideJobData).recipients.some((r) => r.id === id),
      );
    },
    10_000,
    `the push decision on ${id}`,
  );

const listOf = (user: string) =>
  herald
    .as(user)
    .call<{ items: { id: string; endpoint: string }[] }>('GET', '/v1/me/push-subscriptions');

describe('push subscriptions', () => {
  it('serves the public key without a token', async () => {
    const response = await herald.client().request('GET', '/v1/push/vapid-public-key');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ publicKey: vapid.publicKey });
  });

  it('stores a subscription once per endpoint: 201, then 200 with the same id', async () => {
    const subscription = push.subscription();
    const first = await subscribe(herald.app, 'sam', { ...subscription, expirationTime: null });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(String) });
    const again = await subscribe(herald.app, 'sam', subscription);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id });
    const list = await listOf('sam');
    expect(list.items).toEqual([
      { id: first.body.id, endpoint: subscription.endpoint, createdAt: expect.any(String) },
    ]);
    expect((await listOf('someone-else')).items).toEqual([]);

    const path = `/v1/me/push-subscriptions/${first.body.id}`;
    expect((await herald.as('mallory').request('DELETE', path)).status).toBe(404);
    expect((await herald.as('sam').request('DELETE', path)).status).toBe(204);
    expect((await listOf('sam')).items).toEqual([]);
  });

  it('refuses bad keys, unknown fields and endpoints outside the allowed origins', async () => {
    const good = push.subscription();
    const bad = await subscribe(herald.app, 'sam', {
      endpoint: good.endpoint,
      keys: { p256dh: 'x', auth: 'y' },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/keys\.p256dh/);
    expect(String(bad.body.message)).toMatch(/keys\.auth/);
    expect((await subscribe(herald.app, 'sam', { ...good, extra: 1 })).status).toBe(400);
    expect((await subscribe(herald.app, 'sam', { keys: good.keys })).status).toBe(400);
    const foreign = await subscribe(herald.app, 'sam', {
      ...good,
      endpoint: 'https://evil.example.com/x',
    });
    expect(foreign.status).toBe(400);
    expect(String(foreign.body.message)).toMatch(/not an allowed push service/);
    const plain = await subscribe(herald.app, 'sam', {
      ...good,
      endpoint: good.endpoint.replace('https:', 'http:'),
    });
    expect(plain.status).toBe(400);
    expect((await listOf('sam')).items).toEqual([]);
  });
});

describe('with private hosts refused', () => {
  const strict = useTestApp({
    name: 'push-strict',
    env: () => ({
      ...pushEnv(push, { WEB_PUSH_ALLOW_PRIVATE_HOSTS: 'false' }),
      WEB_PUSH_ALLOWED_ORIGINS: `${push.origin},https://localhost,https://169.254.169.254`,
    }),
  });

  it('never accepts an endpoint on an internal host, even one listed as allowed', async () => {
    for (const endpoint of [
      push.subscription().endpoint,
      'https://localhost/push/1',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      const response = await subscribe(strict.app, 'sam', { ...push.subscription(), endpoint });
      expect([endpoint, response.status]).toEqual([endpoint, 400]);
      expect(String(response.body.message)).toMatch(/internal host/);
    }
  });
});

describe('sending', () => {
  it('sends an offline subscriber the notification, VAPID-signed and aes128gcm-encrypted', async () => {
    const subscription = await subscribed('olga');
    await publish({
      userIds: ['olga'],
      title: 'Invoice paid',
      body: 'Thanks',
      data: { url: '/invoices/7' },
    });
    const [received] = await pushesTo(subscription.endpoint, 1, 'a push');
    expect(received.problem).toBeNull();
    expect(received.payload).toEqual({
      id: expect.any(String),
      seq: 1,
      type: 'test.push',
      title: 'Invoice paid',
      body: 'Thanks',
      data: { url: '/invoices/7' },
      createdAt: expect.any(String),
    });
    expect(received.bodyBytes).toBeLessThanOrEqual(4096);
    expect(received.headers['ttl']).toBe('86400');
    expect(received.headers['urgency']).toBe('normal');
    expect(received.headers['topic']).toBe(String(received.payload?.id).replace(/-/g, ''));
    // Its claim lasts as long as retries could push it again, not days: one key per push.
    const redis = pushQueue().client;
    const [claim, ...others] = await redis.keys(`*:push:claim:${String(received.payload?.id)}`);
    expect(others).toEqual([]);
    const ttl = await redis.ttl(claim);
    expect(ttl).toBeGreaterThan(3600 - 60);
    expect(ttl).toBeLessThanOrEqual(herald.get(PushQueue).claimTtlSeconds);
  });

  it('sends no push for a type the user muted for push, unless the publish is critical', async () => {
    const subscription = await subscribed('mona');
    await herald.as('mona').preferences.patch({ types: { 'test.muted': { push: false } } });
    await publish({ userIds: ['mona'], type: 'test.muted', title: 'Quiet' });
    await herald.publishJobsDone();
    const [stored] = (await herald.as('mona').inbox.list()).items;
    expect(stored).toMatchObject({ type: 'test.muted' }); // muted for push only: still stored
    await decided(stored.id);
    expect(pushedIds()).not.toContain(stored.id);
    await publish({ userIds: ['mona'], type: 'test.muted', title: 'Loud', critical: true });
    const [received] = await pushesTo(subscription.endpoint, 1, 'the critical push');
    expect(received.payload).toMatchObject({ type: 'test.muted', title: 'Loud' });
    expect(received.headers['urgency']).toBe('high');
  });

  it('cuts a large notification to fit 4 KiB', async () => {
    const subscription = await subscribed('lena');
    await publish({
      userIds: ['lena'],
      body: '€'.repeat(2000),
      data: { blob: 'x'.repeat(7000) },
    });
    const [received] = await pushesTo(subscription.endpoint, 1, 'a push');
    expect(received.problem).toBeNull();
    expect(received.bodyBytes).toBeLessThanOrEqual(4096);
    expect(received.payload).toMatchObject({ title: 'Hello', data: {}, truncated: true });
  });

  it('deletes a subscription the push service answers 410 for', async () => {
    const gone = await subscribed('gus');
    const kept = await subscribed('gus');
    push.answer(gone.endpoint, { status: 410 });
    await publish({ userIds: ['gus'] });
    await eventually(
      async () => {
        const endpoints = (await listOf('gus')).items.map((s) => s.endpoint);
        return endpoints.length === 1 && endpoints[0] === kept.endpoint;
      },
      10_000,
      'the 410 subscription deleted',
    );
    expect(push.to(kept.endpoint)).toHaveLength(1);
  });

  it('retries after 429 no sooner than Retry-After, and after a 503 with backoff', async () => {
    const limited = await subscribed('rita');
    const failing = await subscribed('rita');
    push.answer(limited.endpoint, { status: 429, headers: { 'Retry-After': '1' } });
    push.answer(failing.endpoint, { status: 503 }, { status: 502 });
    await publish({ userIds: ['rita'] });
    const tries = await pushesTo(limited.endpoint, 2, 'the retry after 429');
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    expect(tries[1].payload).toEqual(tries[0].payload);
    await eventually(() => push.to(failing.endpoint).length === 3, 15_000, 'two retries after 5xx');
    expect((await listOf('rita')).items).toHaveLength(2);
  });

  it('sends no push while the user has a socket open on another instance', async () => {
    const subscription = await subscribed('nico');
    const socket = await herald.connect('nico', { on: 1 });
    await publish({ userIds: ['nico'], title: 'While online' });
    const live = await socket.next('notification');
    expect(live.title).toBe('While online');
    await decided(live.id);
    expect(pushedIds()).not.toContain(live.id);

    await socket.close();
    await publish({ userIds: ['nico'], title: 'After closing' });
    const [pushed] = await pushesTo(subscription.endpoint, 1, 'a push once offline');
    expect(pushed.payload).toMatchObject({ title: 'After closing', seq: 2 });
    expect(push.to(subscription.endpoint)).toHaveLength(1);
  });

  it('counts an SSE stream as an open connection too', async () => {
    const subscription = await subscribed('sia');
    const stream = await TestStream.open(herald.instance(1).url, tokenFor('sia'));
    await stream.next('ready');
    await publish({ userIds: ['sia'], title: 'Streamed' });
    const streamed = await stream.next('notification');
    await decided(streamed.id);
    expect(pushedIds()).not.toContain(streamed.id);
    stream.close();
    await stream.ended;
    await eventually(
      async () => {
        await publish({ userIds: ['sia'], title: 'Pushed' });
        return push.to(subscription.endpoint).length > 0;
      },
      10_000,
      'a push once the stream is gone',
    );
  });

  it('pushes offline subscribers in every part of a publish stored in parts', async () => {
    // Over 2,000 recipients: stored in parts of 1,000 (sorted ids), Web Push after the last.
    const userIds = Array.from({ length: 2001 }, (_, k) => `fan-${String(k).padStart(4, '0')}`);
    const first = await subscribed(userIds[0]);
    const last = await subscribed(userIds[2000]);
    await publish({ userIds, title: 'To everyone' });
    for (const subscription of [first, last]) {
      const [pushed] = await pushesTo(subscription.endpoint, 1, 'a push of the fanout');
      expect(pushed.problem).toBeNull();
      expect(pushed.payload).toMatchObject({ title: 'To everyone', seq: 1 });
    }
  });

  it('pushes nothing for a repeated idempotency key, even days later once the claims are gone', async () => {
    const subscription = await subscribed('rhea');
    const body = { userIds: ['rhea'], title: 'Once', idempotencyKey: 'rhea-invoice-7' };
    const { jobId } = await publish(body);
    const [first] = await pushesTo(subscription.endpoint, 1, 'the first push');
    // Days later: the rows were stored long before; the push claims, which keep a retry from
    // pushing twice, have expired, and so have the completed jobs whose ids would dedupe the
    // decision (kept a day, at most 10,000: minutes at a high rate).
    const db = await herald.db();
    await db.query(
      `UPDATE notifications SET created_at = created_at - interval '3 days' WHERE job_id = $1`,
      [jobId],
    );
    const redis = pushQueue().client;
    const claims = await redis.keys(`${herald.isolation.prefix}:push:claim:*`);
    expect(claims.length).toBeGreaterThan(0);
    await redis.del(...claims);
    await pushQueue().clean(0, 'completed');

    expect(await publish(body)).toEqual({ jobId, status: 'queued' });
    await herald.publishJobsDone(); // the repeat's job ran: any push decision it made is queued
    await herald.queueIdle(PUSH_QUEUE);
    expect(push.to(subscription.endpoint).map((r) => r.payload?.id)).toEqual([first.payload?.id]);
  });

  it('pushes task notifications too (the one store-and-push step)', async () => {
    const subscription = await subscribed('tara');
    await herald.task('owen', { title: 'Review the draft', assigneeId: 'tara' });
    const [pushed] = await pushesTo(subscription.endpoint, 1, 'the task push');
    expect(pushed.problem).toBeNull();
    expect(pushed.payload).toMatchObject({ type: 'task.assigned', seq: 1 });
  });
});

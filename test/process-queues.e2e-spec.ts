/**
 * PROCESS_QUEUES: an instance runs the jobs of the queues it names and leaves the others to
 * the instances that run them. Here one instance serves clients and runs everything but
 * `push`, the other runs `push` alone (as a deployment would run Web Push on instances of
 * its own), against a push service of the test's own.
 */
import webpush from 'web-push';
import { QUEUE_NAMES } from '../src/config/queue-config';
import { MetricsService } from '../src/metrics/metrics.service';
import { QueueDiscovery } from '../src/metrics/queue-discovery';
import { TestPushService } from './support/push-service';
import { eventually, type TestApp } from './support/test-app';
import { serviceToken } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:process-queues@example.com';
let push: TestPushService;

beforeAll(async () => {
  push = await TestPushService.start(vapid.publicKey, SUBJECT);
});
const herald = useTestApp({
  instances: 0,
  env: () => ({
    WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
    WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    WEB_PUSH_SUBJECT: SUBJECT,
    WEB_PUSH_ALLOWED_ORIGINS: push.origin,
    WEB_PUSH_ALLOW_PRIVATE_HOSTS: 'true',
    WEB_PUSH_EXTRA_CA: push.certPem,
  }),
});
let clients: TestApp;
let pusher: TestApp;
beforeAll(async () => {
  clients = await herald.startInstance({ PROCESS_QUEUES: 'notifications,tasks,inbox' });
  pusher = await herald.startInstance({ PROCESS_QUEUES: ' push ' });
});
afterAll(() => push?.close()); // after the apps close (Jest runs afterAll in declaration order)

/** A counter's value on one instance (its own registry), summed over the labels `where` has. */
async function counted(
  app: TestApp,
  name: string,
  where: Record<string, string> = {},
): Promise<number> {
  const metric = herald.get(MetricsService, app).registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(where).every(([key, value]) => v.labels[key] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

it('knows every queue the app registers', () => {
  const registered = herald
    .get(QueueDiscovery, clients)
    .all()
    .map((queue) => queue.name);
  expect(registered.sort()).toEqual([...QUEUE_NAMES].sort());
});

it('stores on the instance that runs notifications and pushes from the one that runs push', async () => {
  const subscription = push.subscription();
  const created = await herald
    .as('pia', { on: clients })
    .request('POST', '/v1/me/push-subscriptions', { body: subscription });
  expect(created.status).toBe(201);

  // Published through the push-only instance: its job is queued there, stored by the other.
  const socket = await herald.connect('ola', { on: pusher });
  await herald
    .client(serviceToken(), pusher)
    .publish({ type: 'test.split', title: 'For both', userIds: ['ola', 'pia'] });
  expect((await socket.next('notification')).title).toBe('For both');
  const [pushed] = await eventually(
    () => (push.to(subscription.endpoint).length ? push.to(subscription.endpoint) : null),
    15_000,
    'the push to pia',
  );
  expect(pushed.problem).toBeNull();
  expect(pushed.payload).toMatchObject({ title: 'For both' });

  expect(await counted(clients, 'herald_notifications_published_total')).toBe(2);
  expect(await counted(pusher, 'herald_notifications_published_total')).toBe(0);
  // Counted once the push service's answer is back on the pusher, a moment after the push
  // service got the request.
  await eventually(
    async () => (await counted(pusher, 'herald_push_requests_total', { outcome: 'sent' })) === 1,
    5000,
    'the push counted as sent on the push instance',
  );
  expect(await counted(clients, 'herald_push_requests_total', { outcome: 'sent' })).toBe(0);
});

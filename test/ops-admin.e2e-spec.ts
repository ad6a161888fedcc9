/** /admin/queues (Bull Board): admin scope only; failed jobs can be inspected and retried. */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';

const isolation = newIsolation('opsadmin');
let app: TestApp;
interface QueuesAnswer {
  queues: { name: string; counts: Record<string, number>; jobs: unknown[] }[];
}

const adminToken = () => tokenFor('operator', { scope: 'admin' });

beforeAll(async () => {
  app = await startTestApp(isolation);
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

describe('/admin/queues access', () => {
  it.each(['/admin/queues', '/admin/queues/api/queues'])(
    '%s answers 401 without a token or with a bad one, 403 without the admin scope',
    async (path) => {
      const none = await request(app.url).get(path);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        requestId: expect.any(String) as unknown,
      });
      const bad = await request(app.url).get(path).set('Authorization', 'Bearer not-a-jwt');
      expect(bad.status).toBe(401);
      const expired = tokenFor('operator', { scope: 'admin', expiresIn: -10 });
      expect(
        (await request(app.url).get(path).set('Authorization', `Bearer ${expired}`)).status,
      ).toBe(401);
      for (const token of [tokenFor('alice'), serviceToken()]) {
        const forbidden = await request(app.url).get(path).set('Authorization', `Bearer ${token}`);
        expect(forbidden.status).toBe(403);
        expect((forbidden.body as { message: string }).message).toContain("'admin' scope");
      }
    },
  );

  it('serves the dashboard to an admin token, by header or by the sign-in cookie', async () => {
    const byHeader = await request(app.url)
      .get('/admin/queues')
      .set('Authorization', `Bearer ${adminToken()}`);
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers['content-type']).toContain('text/html');
    const login = await request(app.url).get('/admin/queues/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('herald_admin=');
    const byCookie = await request(app.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', `other=1; herald_admin=${adminToken()}`);
    expect(byCookie.status).toBe(200);
    expect((byCookie.body as QueuesAnswer).queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['notifications']),
    );
  });
});

describe('failed jobs', () => {
  it('lists a failed job with its error and retries it', async () => {
    const queue = app.app.get<Queue>(getQueueToken('notifications'), { strict: false });
    // A publish whose type is longer than the column allows fails in Postgres, every time.
    await queue.add(
      'publish',
      {
        publisherId: 'ops-test',
        target: { userIds: ['zoe'] },
        type: 'x'.repeat(150),
        title: 't',
        body: '',
        data: {},
        acceptedAt: Date.now(),
      },
      { jobId: 'broken-publish', attempts: 1, removeOnFail: false },
    );
    await eventually(
      async () => (await queue.getJob('broken-publish'))?.failedReason,
      5000,
      'the job to fail',
    );
    const auth = { Authorization: `Bearer ${adminToken()}` };
    const listed = await request(app.url)
      .get('/admin/queues/api/queues?activeQueue=notifications&status=failed')
      .set(auth);
    expect(listed.status).toBe(200);
    const notifications = (listed.body as QueuesAnswer).queues.find(
      (q: { name: string }) => q.name === 'notifications',
    );
    expect(notifications?.counts.failed).toBe(1);
    expect(notifications?.jobs).toEqual([
      expect.objectContaining({
        id: 'broken-publish',
        failedReason: expect.stringMatching(/too long|value/i) as unknown,
      }),
    ]);

    const retried = await request(app.url)
      .put('/admin/queues/api/queues/notifications/broken-publish/retry')
      .set(auth);
    expect(retried.status).toBe(204);
    // it ran again (and failed again: the data is still wrong)
    await eventually(
      async () => (await queue.getJob('broken-publish'))?.attemptsMade === 2,
      5000,
      'the retried job to run',
    );
    const user = await request(app.url)
      .put('/admin/queues/api/queues/notifications/broken-publish/retry')
      .set('Authorization', `Bearer ${tokenFor('alice')}`);
    expect(user.status).toBe(403);
  });
});

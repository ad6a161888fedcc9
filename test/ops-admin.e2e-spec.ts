/** /admin/queues (Bull Board): admin scope only; failed jobs can be inspected and retried. */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

interface QueuesAnswer {
  queues: { name: string; counts: Record<string, number>; jobs: unknown[] }[];
}

const adminToken = () => tokenFor('operator', { scope: 'admin' });

const herald = useTestApp();

describe('/admin/queues access', () => {
  it.each(['/admin/queues', '/admin/queues/api/queues'])(
    '%s answers 401 without a token or with a bad one, 403 without the admin scope',
    async (path) => {
      const none = await request(herald.url).get(path);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        requestId: expect.any(String) as unknown,
      });
      const bad = await request(herald.url).get(path).set('Authorization', 'Bearer not-a-jwt');
      expect(bad.status).toBe(401);
      const expired = tokenFor('operator', { scope: 'admin', expiresIn: -10 });
      expect(
        (await request(herald.url).get(path).set('Authorization', `Bearer ${expired}`)).status,
      ).toBe(401);
      for (const token of [tokenFor('alice'), serviceToken()]) {
        const forbidden = await request(herald.url)
          .get(path)
          .set('Authorization', `Bearer ${token}`);
        expect(forbidden.status).toBe(403);
        expect((forbidden.body as { message: string }).message).toContain("'admin' scope");
      }
    },
  );

  it('serves the dashboard to an admin token by header', async () => {
    const byHeader = await request(herald.url)
      .get('/admin/queues')
      .set('Authorization', `Bearer ${adminToken()}`);
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers['content-type']).toContain('text/html');
  });
});

const SESSION_COOKIE =
  /^__Host-herald_admin=([A-Za-z0-9_-]{43}); Path=\/; Max-Age=(\d+); HttpOnly; Secure; SameSite=Strict$/;

/** Signs in through the login endpoint; the cookie to send back, and its Max-Age. */
async function signIn(token = adminToken()): Promise<{ cookie: string; maxAge: number }> {
  const answer = await request(herald.url)
    .post('/admin/queues/login')
    .set('Origin', herald.url)
    .send({ token });
  expect(answer.status).toBe(204);
  const setCookie: string[] = [answer.headers['set-cookie'] as string | string[]].flat();
  expect(setCookie).toHaveLength(1);
  const match = SESSION_COOKIE.exec(setCookie[0]);
  expect([setCookie[0], match !== null]).toEqual([setCookie[0], true]);
  return { cookie: `__Host-herald_admin=${match![1]}`, maxAge: Number(match![2]) };
}

describe('dashboard sign-in', () => {
  it('serves a sign-in page that posts the token and stores nothing itself', async () => {
    const page = await request(herald.url).get('/admin/queues/login');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.text).toContain("method: 'POST'");
    expect(page.text).not.toContain('document.cookie');
    expect(page.text).not.toContain('localStorage');
  });

  it('trades an admin token for an HttpOnly __Host- session that is not the token', async () => {
    const token = tokenFor('operator', { scope: 'admin', expiresIn: 3600 });
    const { cookie, maxAge } = await signIn(token);
    expect(maxAge).toBe(15 * 60);
    for (const part of token.split('.')) expect(cookie).not.toContain(part);
    const queues = await request(herald.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', `other=1; ${cookie}`);
    expect(queues.status).toBe(200);
    expect((queues.body as QueuesAnswer).queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['notifications']),
    );
    // valid for the dashboard only: the API takes bearer tokens and nothing else
    const api = await request(herald.url).get('/v1/notifications').set('Cookie', cookie);
    expect(api.status).toBe(401);
  });

  it('lasts no longer than the token it was made from, and lapses', async () => {
    const { cookie, maxAge } = await signIn(tokenFor('operator', { scope: 'admin', expiresIn: 2 }));
    expect(maxAge).toBeGreaterThanOrEqual(1);
    expect(maxAge).toBeLessThanOrEqual(2);
    const lapsed = await eventually(
      async () => {
        const answer = await request(herald.url)
          .get('/admin/queues/api/queues')
          .set('Cookie', cookie);
        return answer.status === 401 ? answer : undefined;
      },
      5000,
      'the session to lapse',
    );
    expect((lapsed.body as { message: string }).message).toContain('sign in again');
  });

  it('refuses tokens without the admin scope, bad tokens, a missing token and other origins', async () => {
    const login = (body: object, origin = herald.url) =>
      request(herald.url).post('/admin/queues/login').set('Origin', origin).send(body);
    const user = await login({ token: tokenFor('alice') });
    expect(user.status).toBe(403);
    expect(user.headers['set-cookie']).toBeUndefined();
    expect((await login({ token: 'not-a-jwt' })).status).toBe(401);
    const missing = await login({});
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('token');
    const crossSite = await login({ token: adminToken() }, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();
  });

  it('does not accept a forged or signed-out session', async () => {
    const forged = await request(herald.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', `__Host-herald_admin=${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
    const jwtAsCookie = await request(herald.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', `__Host-herald_admin=${adminToken()}`);
    expect(jwtAsCookie.status).toBe(401);
    const { cookie } = await signIn();
    const out = await request(herald.url)
      .post('/admin/queues/logout')
      .set('Origin', herald.url)
      .set('Cookie', cookie);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect(
      (await request(herald.url).get('/admin/queues/api/queues').set('Cookie', cookie)).status,
    ).toBe(401);
  });
});

describe('failed jobs', () => {
  it('lists a failed job with its error and retries it', async () => {
    const queue = herald.app.app.get<Queue>(getQueueToken('notifications'), { strict: false });
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
    const listed = await request(herald.url)
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

    // Changes with the session cookie: only from the dashboard's own origin.
    const { cookie } = await signIn();
    const retry = () =>
      request(herald.url)
        .put('/admin/queues/api/queues/notifications/broken-publish/retry')
        .set('Cookie', cookie);
    const crossSite = await retry().set('Origin', 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect((crossSite.body as { message: string }).message).toContain('own origin');
    expect((await retry()).status).toBe(403); // a cookie write with no Origin at all
    const byBearerCrossSite = await request(herald.url)
      .put('/admin/queues/api/queues/notifications/broken-publish/retry')
      .set(auth)
      .set('Origin', 'https://evil.example');
    expect(byBearerCrossSite.status).toBe(403);
    expect((await queue.getJob('broken-publish'))?.attemptsMade).toBe(1); // none of them ran it

    const retried = await retry().set('Origin', herald.url);
    expect(retried.status).toBe(204);
    // it ran again (and failed again: the data is still wrong)
    await eventually(
      async () => (await queue.getJob('broken-publish'))?.attemptsMade === 2,
      5000,
      'the retried job to run',
    );
    const user = await request(herald.url)
      .put('/admin/queues/api/queues/notifications/broken-publish/retry')
      .set('Authorization', `Bearer ${tokenFor('alice')}`);
    expect(user.status).toBe(403);
  });
});

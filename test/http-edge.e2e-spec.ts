/**
 * The HTTP edge itself: exact path matching, the one error body for what the server refuses
 * before any controller (body size, media type, malformed JSON, router errors), no
 * X-Powered-By, CORS, and the client IP behind TRUST_PROXY_HOPS proxies.
 */
import request from 'supertest';
import type { TestApp } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

const UUID = /^[0-9a-f-]{36}$/;

const herald = useTestApp({ env: { ALLOWED_ORIGINS: 'https://app.example' } });

/** The error shape of API.md, with the id the response header carries. */
function expectErrorBody(response: request.Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toContain('application/json');
  expect(response.headers['x-request-id']).toMatch(UUID);
  expect(response.body).toEqual({
    statusCode: status,
    error: expect.any(String) as unknown,
    message: expect.anything() as unknown,
    requestId: response.headers['x-request-id'],
  });
}

describe('paths match exactly', () => {
  it.each(['/metrics/', '/METRICS', '/Metrics', '/health/live/', '/HEALTH/live'])(
    '%s is not another name of a route (404)',
    async (path) => {
      const response = await request(herald.url).get(path);
      expectErrorBody(response, 404);
    },
  );

  it('serves the routes themselves', async () => {
    expect((await request(herald.url).get('/metrics')).status).toBe(200);
    expect((await request(herald.url).get('/health/live')).status).toBe(200);
  });
});

describe('what the server refuses before any controller', () => {
  const publish = () =>
    request(herald.url).post('/v1/notifications').set('Authorization', `Bearer ${serviceToken()}`);

  it('answers a body over 1 MiB with 413 in the error shape', async () => {
    const response = await publish()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ type: 't', title: 'x'.repeat(1024 * 1024) }));
    expectErrorBody(response, 413);
    expect((response.body as { message: string }).message).toBe('request body exceeds 1 MiB');
  });

  it('answers malformed JSON with 400 and a body of another type with 415', async () => {
    const malformed = await publish().set('Content-Type', 'application/json').send('{"type": [');
    expectErrorBody(malformed, 400);
    expect((malformed.body as { message: string }).message).toBe('body is not valid JSON');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/xml']) {
      const other = await publish().set('Content-Type', type).send('type=t&title=x');
      expectErrorBody(other, 415);
    }
  });

  it('answers a path that does not decode with 400 in the error shape', async () => {
    const response = await request(herald.url)
      .get('/v1/notifications/%E0%A4%A/read')
      .set('Authorization', `Bearer ${tokenFor('alice')}`);
    expectErrorBody(response, 400);
  });

  it('answers a JSON body with U+0000 or nested too deep with 400 naming where', async () => {
    const nul = await publish().send({ type: 't', title: 'a\u0000b' });
    expectErrorBody(nul, 400);
    expect(nul.body).toMatchObject({
      message: ['body.title must not contain U+0000 or unpaired surrogates'],
    });
    const deep = await publish()
      .set('Content-Type', 'application/json')
      .send(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`);
    expectErrorBody(deep, 400);
    expect(deep.body).toMatchObject({ message: ['body must not nest deeper than 64 levels'] });
  });
});

describe('headers', () => {
  it('sends no X-Powered-By, and CORS answers a preflight', async () => {
    const plain = await request(herald.url).get('/health/live');
    expect(plain.headers['x-powered-by']).toBeUndefined();
    const preflight = await request(herald.url)
      .options('/v1/notifications')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const del = await request(herald.url)
      .options('/v1/notifications/x')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'DELETE');
    expect(del.status).toBe(204);
    expect(String(del.headers['access-control-allow-methods'])).toMatch(/DELETE/);
    expect(String(del.headers['access-control-allow-methods'])).toMatch(/PATCH/);
  });
});

describe('TRUST_PROXY_HOPS', () => {
  const LIMITS = { RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: '60000' };
  /** Unauthenticated calls are limited by client IP: how many of 3 from `ip` got through. */
  async function admitted(target: TestApp, ip: string): Promise<number> {
    let ok = 0;
    for (let i = 0; i < 3; i++) {
      const response = await request(target.url)
        .get('/docs/asyncapi.json')
        .set('X-Forwarded-For', ip);
      if (response.status === 200) ok += 1;
      else expect(response.status).toBe(429);
    }
    return ok;
  }

  const proxied = useTestApp({ name: 'httpedgeproxy', env: { ...LIMITS, TRUST_PROXY_HOPS: '1' } });
  const direct = useTestApp({ name: 'httpedgedirect', env: LIMITS });

  it('takes the client IP from X-Forwarded-For behind one proxy, and ignores it by default', async () => {
    // behind a proxy: two clients, two budgets
    expect(await admitted(proxied.app, '203.0.113.1')).toBe(2);
    expect(await admitted(proxied.app, '203.0.113.2')).toBe(2);
    // no proxy trusted: the header is the caller's word, and both share the peer's budget
    expect(await admitted(direct.app, '203.0.113.1')).toBe(2);
    expect(await admitted(direct.app, '203.0.113.2')).toBe(0);
  });
});

/**
 * Bad input is refused up front, in the error shape, before any work is queued.
 * (test/inbox.e2e-spec.ts covers the per-field validation messages and the 413.)
 */
import request from 'supertest';
import { destroyIsolation, newIsolation, startTestApp, type TestApp } from '../support/test-app';
import { serviceToken, tokenFor } from '../support/tokens';

const isolation = newIsolation('inputlimits');
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp(isolation, { RATE_LIMIT_ENABLED: 'false' });
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

describe('request ids', () => {
  it.each([
    ['malformed JSON', '/v1/notifications', '{"userIds": ['],
    ['an unsupported charset', '/v1/notifications', '{}', 'application/json; charset=latin1'],
    ['a path that does not decode', '/v1/notifications/%E0%A4%A/read', '{}'],
  ])(
    'an error raised before routing (%s) still names its request id',
    async (_name, path, body, contentType = 'application/json') => {
      const response = await request(app.url)
        .post(path)
        .set('Authorization', `Bearer ${serviceToken()}`)
        .set('Content-Type', contentType)
        .send(body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-request-id']).toBe(response.body.requestId);

      const traced = await request(app.url)
        .post(path)
        .set('Authorization', `Bearer ${tokenFor('someone')}`)
        .set('Content-Type', contentType)
        .set('X-Request-Id', 'trace-789')
        .send(body);
      expect(traced.body.requestId).toBe('trace-789');
    },
  );
});

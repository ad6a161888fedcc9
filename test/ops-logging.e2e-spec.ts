/**
 * Logs: JSON lines with the request id, tokens and secrets redacted. The pino-http options are
 * the app's own (`loggerParams`), writing to a stream the test reads; the request id round trip
 * is checked on the real app. Request loggers are made lazily (deferChildren): the lines must
 * still carry the request as it was, and nothing is written for a level that is off.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import request from 'supertest';
import { loggerParams } from '../src/common/logging';
import { loadConfig } from '../src/config/app-config';
import {
  destroyIsolation,
  newIsolation,
  startTestApp,
  testEnv,
  type TestApp,
} from './support/test-app';
import { tokenFor } from './support/tokens';

const isolation = newIsolation('opslogging');
const lines: string[] = [];
let logged: Server;
let loggedUrl: string;
let app: TestApp;

beforeAll(async () => {
  const config = loadConfig(testEnv(isolation, { LOG_LEVEL: 'info' }));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const options = (loggerParams(config, sink) as { pinoHttp: Options }).pinoHttp;
  const middleware = pinoHttp(options);
  logged = createServer((req, res) => {
    middleware(req, res);
    res.statusCode = req.url?.startsWith('/v1') ? 401 : 200;
    res.end('{}');
  });
  await new Promise<void>((resolve) => logged.listen(0, '127.0.0.1', resolve));
  loggedUrl = `http://127.0.0.1:${(logged.address() as AddressInfo).port}`;
  app = await startTestApp(isolation);
});

afterAll(async () => {
  await new Promise((resolve) => logged?.close(resolve));
  await app?.close();
  await destroyIsolation(isolation);
});

describe('logging', () => {
  it('writes JSON lines without the token of ?token=, Authorization or the subprotocol', async () => {
    const secret = tokenFor('leaky', { scope: 'admin' });
    await request(loggedUrl).get(`/v1/notifications?limit=5&token=${secret}`);
    await request(loggedUrl).get(`/ws?access_token=${secret}`);
    await request(loggedUrl)
      .get('/v1/notifications')
      .set('Authorization', `Bearer ${secret}`)
      .set('Cookie', `herald_admin=${secret}`)
      .set('Sec-WebSocket-Protocol', `herald.v1, bearer.${secret}`)
      .set('X-Request-Id', 'trace-123');
    expect(lines.length).toBe(3);
    const entries = lines.map((line) => JSON.parse(line) as { req: { id: string; url: string } });
    for (const line of lines) expect(line).not.toContain(secret.split('.')[2]);
    expect(entries[0].req.url).toBe('/v1/notifications?limit=5&token=[REDACTED]');
    expect(entries[1].req.url).toBe('/ws?access_token=[REDACTED]');
    expect(entries[2].req.id).toBe('trace-123');
    expect(lines[2]).toContain('[REDACTED]');
  });

  it('propagates a caller X-Request-Id to the response and the error body', async () => {
    const answer = await request(app.url).get('/v1/notifications').set('X-Request-Id', 'trace-456');
    expect(answer.status).toBe(401);
    expect(answer.headers['x-request-id']).toBe('trace-456');
    expect((answer.body as { requestId: string }).requestId).toBe('trace-456');
    const fresh = await request(app.url).get('/health/live');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/**
 * Logs: JSON lines with the request id, tokens and secrets redacted, from the real app writing
 * to a stream the test reads. One line per request at its level (info 2xx, warn 4xx, error
 * 5xx); a request whose level is off writes nothing.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { eventually, type TestApp } from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';
import { useTestApp } from './support/use-test-app';

interface Line {
  level: number;
  msg?: string;
  context?: string;
  req?: { id: string; method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number };
}

function sink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

const herald = useTestApp({ instances: 0 });
const infoLines: string[] = [];
const warnLines: string[] = [];
let info: TestApp;
let warn: TestApp;

const requestLines = (lines: string[]) =>
  lines.map((line) => JSON.parse(line) as Line).filter((line) => line.req);

beforeAll(async () => {
  info = await herald.startInstance({ LOG_LEVEL: 'info' }, { logDestination: sink(infoLines) });
  warn = await herald.startInstance({ LOG_LEVEL: 'warn' }, { logDestination: sink(warnLines) });
});

describe('logging', () => {
  it('writes JSON lines without the token of ?token=, Authorization or the subprotocol', async () => {
    const secret = tokenFor('leaky', { scope: 'admin' });
    const before = infoLines.length;
    await request(info.url).get(`/v1/notifications?limit=5&token=${secret}`);
    await request(info.url).get(`/ws?access_token=${secret}`);
    await request(info.url)
      .get('/v1/notifications')
      .set('Authorization', `Bearer ${secret}`)
      .set('Cookie', `herald_admin=${secret}`)
      .set('Sec-WebSocket-Protocol', `herald.v1, bearer.${secret}`)
      .set('X-Request-Id', 'trace-123');
    const lines = await eventually(() => {
      const found = requestLines(infoLines.slice(before));
      return found.length >= 3 ? found : null;
    });
    expect(lines).toHaveLength(3);
    for (const line of infoLines.slice(before)) expect(line).not.toContain(secret.split('.')[2]);
    expect(lines[0].req?.url).toBe('/v1/notifications?limit=5&token=[REDACTED]');
    expect(lines[1].req?.url).toBe('/ws?access_token=[REDACTED]');
    expect(lines[2].req?.id).toBe('trace-123');
    expect(lines[2].req?.headers).toMatchObject({
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'sec-websocket-protocol': '[REDACTED]',
    });
    expect(lines.map((line) => [line.level, line.res?.statusCode])).toEqual([
      [40, 401],
      [40, 404],
      [30, 200],
    ]);
  });

  it('writes nothing for a request whose level is off (a 202 at LOG_LEVEL=warn)', async () => {
    const before = warnLines.length;
    const accepted = await request(warn.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ userIds: ['quiet'], type: 't', title: 'not logged' });
    expect(accepted.status).toBe(202);
    // The 401 after it is logged: once its line is there, the 202's would be too.
    await request(warn.url).get('/v1/notifications').set('X-Request-Id', 'after-202');
    const lines = await eventually(() => {
      const found = requestLines(warnLines.slice(before));
      return found.some((line) => line.req?.id === 'after-202') ? found : null;
    });
    expect(lines.map((line) => line.res?.statusCode)).toEqual([401]);
  });

  it('writes the app’s own lines as JSON with their context', () => {
    const started = infoLines
      .map((line) => JSON.parse(line) as Line)
      .find((line) => line.context === 'NestApplication');
    expect(started).toMatchObject({ level: 30, msg: expect.any(String) as unknown });
  });

  it('propagates a caller X-Request-Id to the response and the error body', async () => {
    const answer = await request(info.url)
      .get('/v1/notifications')
      .set('X-Request-Id', 'trace-456');
    expect(answer.status).toBe(401);
    expect(answer.headers['x-request-id']).toBe('trace-456');
    expect((answer.body as { requestId: string }).requestId).toBe('trace-456');
    const fresh = await request(info.url).get('/health/live');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const insane = await request(info.url)
      .get('/v1/notifications')
      .set('X-Request-Id', 'bad id\twith "quotes"');
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((insane.body as { requestId: string }).requestId).toBe(insane.headers['x-request-id']);
  });
});

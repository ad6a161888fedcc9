/**
 * `publishRetries`: a publish answered 503/429 is tried again after `Retry-After`, always with
 * the same idempotency key, and nothing else is retried. Against a real HTTP server on
 * loopback that answers from a script, so the requests the client really sent are checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeraldClient } from './herald-client';
import { HeraldError } from './herald-error';

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

let server: Server;
let baseUrl: string;
let script: Scripted[] = [];
let received: { url: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      const answer = script.shift() ?? { status: 500, body: { statusCode: 500, message: 'none' } };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  script = [];
  received = [];
});

const retryLater = (status: number, retryAfter = '0'): Scripted => ({
  status,
  headers: { 'retry-after': retryAfter },
  body: { statusCode: status, error: 'Service Unavailable', message: 'later', requestId: 'r' },
});
const accepted: Scripted = { status: 202, body: { jobId: 'pubk-1', status: 'queued' } };
const note = { userIds: ['alice'], type: 't', title: 'x' };

describe('HeraldClient publishRetries', () => {
  it('tries a publish again after 503 and 429, with one key it made up for every attempt', async () => {
    script = [retryLater(503), retryLater(429), accepted];
    const client = new HeraldClient({ baseUrl, publishRetries: 2 });
    expect(await client.publish(note)).toEqual({ jobId: 'pubk-1', status: 'queued' });
    expect(received).toHaveLength(3);
    const keys = received.map((r) => r.body['idempotencyKey']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    // Another publish gets a key of its own.
    script = [accepted];
    await client.publish(note);
    expect(received[3].body['idempotencyKey']).not.toBe(keys[0]);
  });

  it("keeps the caller's own key", async () => {
    script = [retryLater(503), accepted];
    const client = new HeraldClient({ baseUrl, publishRetries: 1 });
    await client.publish({ ...note, idempotencyKey: 'inv-7' });
    expect(received.map((r) => r.body['idempotencyKey'])).toEqual(['inv-7', 'inv-7']);
  });

  it('waits for Retry-After before trying again', async () => {
    script = [retryLater(503, '1'), accepted];
    const client = new HeraldClient({ baseUrl, publishRetries: 1 });
    const started = performance.now();
    await client.publish(note);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('gives up after publishRetries and throws the last answer', async () => {
    script = [retryLater(503), retryLater(503), accepted];
    const client = new HeraldClient({ baseUrl, publishRetries: 1 });
    const error = await client.publish(note).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(received).toHaveLength(2);
  });

  it('never retries an answer that will not change (400), nor without publishRetries', async () => {
    script = [
      { status: 400, body: { statusCode: 400, error: 'Bad Request', message: ['title'] } },
      retryLater(503),
    ];
    const client = new HeraldClient({ baseUrl, publishRetries: 3 });
    await expect(client.publish(note)).rejects.toMatchObject({ status: 400 });
    await expect(new HeraldClient({ baseUrl }).publish(note)).rejects.toMatchObject({
      status: 503,
    });
    expect(received).toHaveLength(2);
    // Without retries the body is sent as given: no key is added.
    expect(received[1].body).toEqual(note);
  });

  it('retries a batch whole, each publish keyed once', async () => {
    script = [
      retryLater(503),
      { status: 202, body: { items: [accepted.body, { jobId: 'pubk-2', status: 'queued' }] } },
    ];
    const client = new HeraldClient({ baseUrl, publishRetries: 1 });
    const answers = await client.publishBatch([note, { ...note, idempotencyKey: 'own' }]);
    expect(answers.map((a) => a.jobId)).toEqual(['pubk-1', 'pubk-2']);
    const sent = received.map((r) =>
      (r.body['notifications'] as { idempotencyKey: string }[]).map((n) => n.idempotencyKey),
    );
    expect(received.every((r) => r.url === '/v1/notifications/batch')).toBe(true);
    expect(sent[0][1]).toBe('own');
    expect(sent[0][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toEqual(sent[0]);
  });
});

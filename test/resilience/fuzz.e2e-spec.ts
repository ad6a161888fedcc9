/**
 * Thousands of random and malformed HTTP requests, raw HTTP bytes and WebSocket frames at a
 * running Herald (seeded: FUZZ_SEED=<n> replays a run). It never crashes; every answer is a
 * clean 4xx in the error shape (or a 2xx when the input happened to be valid), an `error`
 * event, or the close code the protocol names; and a legitimate client on the same instance
 * keeps receiving its notifications, in order, throughout.
 *
 * Longer than 250 lines on purpose: the rules every answer must obey (HTTP, raw bytes, frames)
 * are read here side by side, as one oracle for one seeded run; the generators are in
 * support/fuzz.ts.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { eventually } from '../support/test-app';
import { serviceToken, tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';
import { closingFrame, httpCase, Rng, wsFrame, type HttpCase } from './support/fuzz';
import { publish, range1, sleep } from './support/probes';

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const HTTP_CASES = 3000;
const RAW_CASES = 100;
const WS_BATCHES = 40;
const FRAMES_PER_BATCH = 50;
const MAX_PAYLOAD = 64 * 1024;
const KNOWN_ERROR_CODES = ['bad_frame', 'unknown_event', 'invalid_data', 'resume_in_progress'];

/** Broken promises by kind: how many, and the first few cases. */
const violations: Record<string, { count: number; examples: string[] }> = {};

const herald = useTestApp({
  env: {
    RATE_LIMIT_ENABLED: 'false', // 429s would hide what the input itself gets
    WS_MAX_FRAMES_PER_SECOND: '100000', // idem for the frame budget (ws-limits tests it)
    WS_USER_STORAGE_FRAMES_PER_SECOND: '10000', // and the per-user budget (ws-cross-instance)
    WS_USER_STORAGE_FRAMES_BURST: '100000',
    WS_MAX_PAYLOAD: String(MAX_PAYLOAD),
  },
});

function violation(kind: string, detail: unknown): void {
  const entry = (violations[kind] ??= { count: 0, examples: [] });
  entry.count += 1;
  if (entry.examples.length < 5) entry.examples.push(JSON.stringify(detail)?.slice(0, 400));
}

interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

function send(agent: http.Agent, c: HttpCase): Promise<HttpAnswer> {
  const url = new URL(herald.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        path: c.path,
        headers: { ...c.headers, ...(c.body ? { 'content-length': c.body.length } : {}) },
        agent,
        timeout: 15000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end(c.body);
  });
}

/** The rules every HTTP answer to bad input obeys. */
function checkHttp(c: HttpCase, answer: HttpAnswer, index: number): void {
  const where = { index, case: c.label, method: c.method, path: c.path.slice(0, 80) };
  if (answer.status >= 500 || answer.status < 200) {
    return violation('not a 2xx/4xx', { ...where, status: answer.status, body: answer.text });
  }
  if (answer.status < 400 || c.method === 'OPTIONS') return;
  if (!answer.contentType.startsWith('application/json')) {
    return violation('error without a JSON body', { ...where, status: answer.status });
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return violation('error body is not JSON', { ...where, body: answer.text });
  }
  const message = body['message'];
  if (
    body['statusCode'] !== answer.status ||
    typeof body['error'] !== 'string' ||
    !(typeof message === 'string' || Array.isArray(message)) ||
    typeof body['requestId'] !== 'string' ||
    body['requestId'] === ''
  ) {
    violation('error body not in the error shape', { ...where, body });
  }
  if (/\n\s+at |node_modules|\/work\/|\.ts:\d+/.test(answer.text)) {
    violation('error body leaks internals', { ...where, body: answer.text });
  }
}

/** Raw bytes that are not proper HTTP. The answer, if any, is a 4xx; the connection ends. */
const RAW_REQUESTS: ((rng: Rng) => Buffer)[] = [
  (rng) => rng.bytes(1 + rng.int(3000)),
  () => Buffer.from('GET\r\n\r\n'),
  () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'),
  () => Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
  () =>
    Buffer.from(
      'POST /v1/notifications HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello',
    ),
  () =>
    Buffer.from(
      'POST /v1/notifications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n',
    ),
  () =>
    Buffer.from(
      'POST /v1/notifications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnothex\r\n',
    ),
  () => Buffer.from('POST /v1/notifications HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'),
  () => Buffer.from('GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n'),
  () => Buffer.from(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
];

function sendRaw(bytes: Buffer): Promise<string> {
  const url = new URL(herald.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.setTimeout(10000, () => {
      violation('raw request: connection neither answered nor closed', received.slice(0, 200));
      socket.destroy();
    });
    socket.end(bytes); // half-close: the server answers and closes
  });
}

async function runWsBatch(rng: Rng, batch: number, counts: Map<string, number>): Promise<void> {
  const socket = await herald.connect(`wf-${batch % 8}`);
  const frames = Array.from({ length: FRAMES_PER_BATCH }, () => wsFrame(rng, MAX_PAYLOAD - 64));
  let expected = 0;
  for (const frame of frames) {
    counts.set(frame.label, (counts.get(frame.label) ?? 0) + 1);
    if (frame.expect !== 'silent') expected += 1;
    socket.sendRaw(frame.data, frame.binary);
  }
  socket.send('ping', {}); // a barrier: frames are handled in order, so its pong comes last
  expected += 1;
  const answers = () =>
    socket.all('error').length + socket.all('pong').length + socket.all('resumed').length;
  try {
    await eventually(() => answers() >= expected, 15000, `answers to batch ${batch}`);
    // A second barrier: a ping is answered as it is handled, in order, so a second answer to
    // any earlier frame, sent as that frame was handled, comes before this pong.
    const pongs = socket.all('pong').length;
    socket.send('ping', {});
    await eventually(() => socket.all('pong').length > pongs, 15000, `barrier of batch ${batch}`);
    expected += 1;
  } catch (error) {
    violation('frames without an answer', {
      batch,
      expected,
      got: answers(),
      error: String(error),
    });
  }
  if (answers() !== expected) violation('answers != frames', { batch, expected, got: answers() });
  for (const error of socket.all('error')) {
    if (!KNOWN_ERROR_CODES.includes(error.code)) violation('unexpected error code', error);
  }
  const outOfProtocol = socket.frames.filter(
    (f) => !['ready', 'error', 'pong', 'resumed'].includes(f.event),
  );
  if (outOfProtocol.length) violation('unexpected frames', outOfProtocol.slice(0, 3));

  if (batch % 3 === 0) {
    const closing = closingFrame(rng, MAX_PAYLOAD);
    counts.set(closing.label, (counts.get(closing.label) ?? 0) + 1);
    socket.sendRaw(closing.data, false);
    const closed = await Promise.race([socket.closed, sleep(5000).then(() => null)]);
    if (closed?.code !== closing.closeCode) {
      violation('wrong close', {
        batch,
        label: closing.label,
        expected: closing.closeCode,
        closed,
      });
    }
  } else {
    const closed = await Promise.race([socket.closed, Promise.resolve(null)]);
    if (closed) violation('socket closed', { batch, closed });
    await socket.close();
  }
}

const statuses = new Map<number, number>();
const frameCounts = new Map<string, number>();

/** Every HTTP case, raw request and WebSocket batch, one after another. */
async function fuzz(rng: Rng): Promise<void> {
  // HTTP: 3000 cases, 8 at a time over keep-alive connections.
  const tokens = { service: serviceToken('fuzz-service'), user: tokenFor('fuzz-user') };
  const cases = Array.from({ length: HTTP_CASES }, () => httpCase(rng, tokens));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let nextCase = 0;
  await Promise.all(
    range1(8).map(async () => {
      while (nextCase < cases.length) {
        const index = nextCase++;
        try {
          const answer = await send(agent, cases[index]);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          checkHttp(cases[index], answer, index);
        } catch (error) {
          // A connection the server closed after refusing a body (413) is fine; a hang is not.
          if (String(error).includes('no answer')) violation('HTTP hang', cases[index].label);
        }
      }
    }),
  );
  agent.destroy();

  // Raw bytes that are not HTTP at all.
  for (let i = 0; i < RAW_CASES; i++) {
    const received = await sendRaw(rng.pick(RAW_REQUESTS)(rng));
    for (const match of received.matchAll(/HTTP\/1\.1 (\d{3})/g)) {
      const status = Number(match[1]);
      if (status < 400 || status >= 500) violation('raw request answered', received.slice(0, 200));
    }
  }

  // WebSocket: 2000 frames in 40 batches, 4 sockets at a time.
  let nextBatch = 0;
  await Promise.all(
    range1(4).map(async () => {
      while (nextBatch < WS_BATCHES) await runWsBatch(rng, nextBatch++, frameCounts);
    }),
  );
}

it('survives hostile HTTP and WebSocket input; a legitimate client is served throughout', async () => {
  const rng = new Rng(SEED);
  const started = Date.now();

  // The legitimate client: one socket, a publish to it every 50 ms for as long as the fuzz runs.
  const legit = await herald.connect('legit');
  let fuzzing = true;
  let published = 0;
  const legitPublisher = (async () => {
    while (fuzzing) {
      const outcome = await publish(herald.url, { userIds: ['legit'], type: 't', title: 'legit' });
      if (outcome.status === 202) published += 1;
      else violation('legitimate publish refused', outcome);
      await sleep(50);
    }
  })();

  try {
    await fuzz(rng);
  } finally {
    fuzzing = false;
    await legitPublisher;
  }
  const elapsed = Date.now() - started;

  // Still alive and well.
  expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);
  expect(Object.keys(Object.prototype)).toEqual([]); // no prototype pollution
  // The legitimate client got every notification, in order, and its socket still works.
  expect(published).toBeGreaterThan(10);
  await eventually(() => legit.all('notification').length >= published, 10000, 'legit delivery');
  expect(legit.all('notification').map((n) => n.seq)).toEqual(range1(published));
  await legit.ping();
  await legit.close();

  const summary = {
    seed: SEED,
    elapsedMs: elapsed,
    http: Object.fromEntries(statuses),
    frames: Object.fromEntries(frameCounts),
  };
  expect({ violations, summary }).toEqual({ violations: {}, summary });
  expect(statuses.get(400)).toBeGreaterThan(1000); // the cases really were mostly bad
  expect(elapsed).toBeLessThan(60000);
}, 120000);

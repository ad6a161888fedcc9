/**
 * The publishing side of the load generator: a keep-alive HTTP client for Herald's REST API and
 * an open-loop sender that fires requests on a fixed schedule whether or not earlier ones have
 * been answered (a closed loop would slow down with the server and hide its queueing).
 */
import { Agent, request } from 'node:http';
import { nowMs, sleep } from './stats';

const REQUEST_TIMEOUT_MS = 10_000;
const IDLE_SOCKET_MS = 4000;

export interface RestAnswer {
  status: number;
  body: string;
  ms: number;
  /** The Retry-After header, if any. */
  retryAfter?: string;
}

/** Calls go round robin over the instances' base URLs. */
export class RestClient {
  private readonly agent: Agent;
  private next = 0;

  constructor(
    private readonly baseUrls: string[],
    private readonly token: string,
    maxSockets = 256,
  ) {
    // Idle sockets are dropped before the server's keep-alive timeout (Node's default, 5 s)
    // would close them under a request being sent: that race answers ECONNRESET.
    this.agent = new Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
  }

  /** Resolves with status 0 on a network error or timeout (never rejects). */
  send(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const started = nowMs();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const baseUrl = this.baseUrls[this.next++ % this.baseUrls.length];
    return new Promise((resolve) => {
      const done = (status: number, text: string, retryAfter?: string) =>
        resolve({ status, body: text, ms: nowMs() - started, retryAfter });
      const req = request(
        `${baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            done(
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString('utf8'),
              res.headers['retry-after'],
            ),
          );
          res.on('error', (error) => done(0, error.message));
        },
      );
      // From creation, not from socket assignment: time spent queued for a pooled socket counts.
      const timer = setTimeout(() => req.destroy(new Error('timeout')), REQUEST_TIMEOUT_MS);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error) => done(0, error.message));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface OpenLoopResult {
  sent: number;
  accepted: number;
  errors: number;
  errorSamples: string[];
  /** The scheduled send time of request i (epoch ms): latency is measured from it. */
  scheduledAt: Float64Array;
  acceptedFlags: Uint8Array;
  restMs: number[];
  startedAt: number;
  sendEndedAt: number;
  /** How far behind schedule the generator ever fell (its own saturation). */
  generatorLagMaxMs: number;
  /** Requests by HTTP status (0: network error or no answer within 10 s). */
  statusCounts: Record<string, number>;
  /** Requests answered after more than 1 s (from the send); 503s without a Retry-After. */
  answeredOver1s: number;
  retryAfterMissing: number;
}

/**
 * Sends `rate` publishes per second for `durationMs`; publish i carries its scheduled time, so
 * a late send (generator or connection pool saturated) counts against latency, not for it.
 * With `perRequest` > 1 the publishes go `perRequest` at a time to POST /v1/notifications/batch,
 * each request sent when its last publish is due: the wait of the earlier ones counts too.
 */
export async function openLoop(
  client: RestClient,
  rate: number,
  durationMs: number,
  bodyFor: (index: number, scheduledAt: number) => unknown,
  perRequest = 1,
): Promise<OpenLoopResult> {
  const total = Math.round((rate * durationMs) / 1000);
  const scheduledAt = new Float64Array(total);
  const acceptedFlags = new Uint8Array(total);
  const restMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let generatorLagMaxMs = 0;
  const statusCounts: Record<string, number> = {};
  let answeredOver1s = 0;
  let retryAfterMissing = 0;
  const startedAt = nowMs() + 5;
  const path = perRequest > 1 ? '/v1/notifications/batch' : '/v1/notifications';
  let sent = 0;
  while (sent < total) {
    const now = nowMs();
    const due = Math.min(total, Math.floor(((now - startedAt) * rate) / 1000) + 1);
    while (sent < due && (due - sent >= perRequest || due === total)) {
      const indices = Array.from(
        { length: Math.min(perRequest, total - sent) },
        (_, k) => sent + k,
      );
      sent += indices.length;
      const bodies = indices.map((index) => {
        scheduledAt[index] = startedAt + (index * 1000) / rate;
        return bodyFor(index, scheduledAt[index]);
      });
      generatorLagMaxMs = Math.max(generatorLagMaxMs, now - scheduledAt[sent - 1]);
      const body = perRequest > 1 ? { notifications: bodies } : bodies[0];
      inFlight.push(
        client.send('POST', path, body).then((answer) => {
          restMs.push(answer.ms);
          statusCounts[answer.status] = (statusCounts[answer.status] ?? 0) + 1;
          if (answer.ms > 1000) answeredOver1s += 1;
          if (answer.status === 503 && !answer.retryAfter) retryAfterMissing += 1;
          if (answer.status === 202) {
            for (const index of indices) acceptedFlags[index] = 1;
            return;
          }
          errors += indices.length;
          if (errorSamples.length < 5)
            errorSamples.push(`${answer.status} ${answer.body.slice(0, 120)}`);
        }),
      );
    }
    await sleep(1);
  }
  const sendEndedAt = nowMs();
  await Promise.all(inFlight);
  return {
    sent,
    accepted: acceptedFlags.reduce((a, b) => a + b, 0),
    errors,
    errorSamples,
    scheduledAt,
    acceptedFlags,
    restMs,
    startedAt,
    sendEndedAt,
    generatorLagMaxMs,
    statusCounts,
    answeredOver1s,
    retryAfterMissing,
  };
}

/** What the resilience suites look at from outside Herald: its queue, its rows, its answers. */
import Bull from 'bull';
import { connect, type Socket } from 'node:net';
import type { Client } from 'pg';
import { HeraldClient, HeraldError } from '../../../src/client';
import { NOTIFICATIONS_QUEUE } from '../../../src/notifications/notifications.jobs';
import type { Isolation } from '../../support/test-app';
import { serviceToken } from '../../support/tokens';

/** A handle on the notifications queue of an isolation (it processes nothing). */
export function notificationsQueue(isolation: Isolation, redisUrl: string): Bull.Queue {
  return new Bull(NOTIFICATIONS_QUEUE, redisUrl, { prefix: `${isolation.prefix}:bull` });
}

export interface PublishOutcome {
  /** HTTP status, or 0 when the request got no answer (refused, reset). */
  status: number;
  body: unknown;
  /** The error when status is 0. */
  error?: string;
  ms: number;
}

/** POST /v1/notifications with a service token (the typed client's raw call); never throws. */
export async function publish(
  baseUrl: string,
  body: Record<string, unknown>,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<PublishOutcome> {
  const started = Date.now();
  const client = new HeraldClient({ baseUrl, token: options.token ?? serviceToken() });
  try {
    const response = await client.request('POST', '/v1/notifications', {
      body,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    return { status: response.status, body: response.body, ms: Date.now() - started };
  } catch (error) {
    if (!(error instanceof HeraldError)) throw error;
    return { status: 0, body: null, error: error.messages[0], ms: Date.now() - started };
  }
}

export interface StoredRow {
  user_id: string;
  seq: number;
  title: string;
  job_id: string;
}

/** Every stored notification of the isolation's database, by user then seq. */
export async function storedRows(db: Client): Promise<StoredRow[]> {
  const result = await db.query<StoredRow>(
    'SELECT user_id, seq, title, job_id FROM notifications ORDER BY user_id, seq',
  );
  return result.rows;
}

/** 1..n */
export const range1 = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a TCP connection to 127.0.0.1:port is accepted (a listener is there). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * One raw keep-alive HTTP/1.1 connection: write requests (or parts of them) by hand and
 * collect every byte the server answers until it closes the connection or `idleMs` passes.
 */
export class RawHttp {
  private received = '';
  private readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    this.ended = new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.once('error', () => resolve());
    });
  }

  static open(port: number): Promise<RawHttp> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawHttp(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  get text(): string {
    return this.received;
  }

  /** The status codes of the responses received so far, in order. */
  get statuses(): number[] {
    return [...this.received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  }

  /** Resolves when the server closed the connection, or after `ms` (then closes it). */
  async closedWithin(ms: number): Promise<boolean> {
    const closed = await Promise.race([this.ended.then(() => true), sleep(ms).then(() => false)]);
    this.socket.destroy();
    return closed;
  }
}

/**
 * The head and body of a JSON POST, for RawHttp. With `expectContinue` the server answers
 * `100 Continue` once it has read the head (and handed the request to the app).
 */
export function rawPost(
  path: string,
  token: string,
  body: string,
  expectContinue = false,
): { head: string; body: string } {
  return {
    head:
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      (expectContinue ? 'Expect: 100-continue\r\n' : '') +
      '\r\n',
    body,
  };
}

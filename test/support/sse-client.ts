/**
 * A small client for `GET /v1/stream` (what the widget's fallback does, in Node): opens the
 * stream with the token in the Authorization header, parses `text/event-stream`, records every
 * event and comment, and awaits events with a timeout that rejects, on the client's EventLog
 * (as HeraldSocket does). Test-only: a Node service has the WebSocket.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { EventLog, type ServerFrame } from '../../src/client';

/** A server event as the stream carries it: `id` on notifications, and a last `close`. */
export type SseEvent = (
  ServerFrame | { event: 'close'; data: { code: number; reason: string } }
) & {
  id?: string;
};

export interface SseOptions {
  lastEventId?: number;
  afterSeq?: number;
  origin?: string;
}

export class TestStream {
  readonly log = new EventLog<SseEvent>();
  comments = 0;
  readonly ended: Promise<void>;
  private buffer = '';

  private constructor(
    readonly response: IncomingMessage,
    private readonly req: ClientRequest,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    this.ended = new Promise((resolve) => {
      const done = () => {
        this.log.end('stream ended');
        resolve();
      };
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
  }

  /** Opens the stream; rejects with the status and JSON body when it is refused. */
  static open(url: string, token: string | null, options: SseOptions = {}): Promise<TestStream> {
    const target = new URL('/v1/stream', url);
    if (options.afterSeq !== undefined)
      target.searchParams.set('afterSeq', String(options.afterSeq));
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
    if (options.origin) headers['origin'] = options.origin;
    return new Promise((resolve, reject) => {
      const req = request(target, { headers }, (response) => {
        if (response.statusCode === 200) return resolve(new TestStream(response, req));
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${response.statusCode}: ${body}`), {
              status: response.statusCode,
              headers: response.headers,
              body: body ? (JSON.parse(body) as unknown) : null,
            }),
          ),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  get events(): SseEvent[] {
    return this.log.frames;
  }

  /** The next `event` not taken by an earlier `next` (rejects after timeoutMs). */
  next<E extends SseEvent['event']>(event: E, timeoutMs = 3000) {
    return this.log.next(event, { timeoutMs });
  }

  /** Notifications received so far, as [seq, id-field]. */
  notifications(): { seq: number; id?: string; title: string }[] {
    return this.events
      .filter((e) => e.event === 'notification')
      .map((e) => ({ ...(e.data as { seq: number; title: string }), id: e.id }));
  }

  /** Stops reading (the socket's receive buffer fills up and the server must queue). */
  pause(): void {
    this.response.pause();
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.parse(block);
    }
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line === '') continue;
      if (line.startsWith(':')) {
        this.comments += 1;
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields += 1;
      if (name === 'event') event = value;
      else if (name === 'id') id = value;
      else if (name === 'data') data.push(value);
    }
    if (fields === 0) return;
    const parsed = data.length ? (JSON.parse(data.join('\n')) as unknown) : null;
    this.log.push({ event, id, data: parsed } as SseEvent);
  }
}

/** Checks and routes each inbound frame of a socket to its @SubscribeMessage handler. */
import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { RawData, WebSocket } from 'ws';
import { MetricsService } from '../metrics/metrics.service';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { FrameRateLimiter } from './frame-rate-limiter';
import { isRecord } from './client-input';
import { CloseCode, type ClientEventName, type ErrorCode } from './protocol';

type Handler = (data: unknown, event: string) => unknown;

/** Frames that cost a database round trip: each takes a token of the user's shared budget. */
const STORAGE_EVENTS: ReadonlySet<string> = new Set<ClientEventName>([
  'resume',
  'read',
  'read.all',
]);
const STORAGE_EVENTS_TEXT = [...STORAGE_EVENTS].join('/');

@Injectable()
export class WsFrameRouter {
  private readonly logger = new Logger(WsFrameRouter.name);
  private readonly rateLimited: Counter;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
    private readonly limiter: FrameRateLimiter,
  ) {
    this.rateLimited = new Counter({
      name: 'herald_ws_frames_rate_limited_total',
      help: 'resume/read/read.all frames answered rate_limited (the per-user budget across instances).',
      registers: [metrics.registry],
    });
  }

  route(socket: WebSocket, raw: RawData, isBinary: boolean, handlers: Map<string, Handler>): void {
    this.metrics.frameReceived();
    const connection = this.registry.forSocket(socket);
    // Closed by the server (refused over the cap, cut off): what its peer still sends is moot.
    if (!connection?.isOpen) return;
    if (!connection.allowFrame()) {
      connection.close(CloseCode.Policy, 'too many frames');
      return;
    }
    const fail = (code: ErrorCode, message: string) => connection.sendError({ code, message });
    if (isBinary) return void fail('bad_frame', 'binary frames are not accepted; send JSON text');
    let frame: unknown;
    try {
      frame = JSON.parse(rawText(raw));
    } catch {
      return void fail('bad_frame', 'frame is not valid JSON');
    }
    if (!isRecord(frame) || typeof frame['event'] !== 'string') {
      return void fail('bad_frame', 'a frame is {"event": string, "data": object}');
    }
    const event = frame['event'];
    const handler = handlers.get(event);
    // Any frame but `resume` says no replay is coming: live delivery starts now.
    if (event !== 'resume') connection.endGrace();
    if (!handler) return void fail('unknown_event', `unknown event '${event.slice(0, 50)}'`);
    const data = frame['data'] ?? {};
    if (!STORAGE_EVENTS.has(event)) return this.dispatch(connection, handler, data, event);
    // Verdicts come back in the order asked (one Redis connection): these frames keep their order.
    void this.limiter.take(connection.userId).then(({ allowed, retryAfterMs }) => {
      if (!connection.isOpen) return;
      if (allowed) return this.dispatch(connection, handler, data, event);
      this.rateLimited.inc();
      connection.sendError({
        code: 'rate_limited',
        message: `too many ${STORAGE_EVENTS_TEXT} frames for this user; retry in ${retryAfterMs} ms`,
        retryAfterMs,
      });
    });
  }

  private dispatch(
    connection: ClientConnection,
    handler: Handler,
    data: unknown,
    event: string,
  ): void {
    try {
      const result = handler(data, event);
      if (result instanceof Promise) {
        result.catch((error: unknown) => this.internalError(connection, error));
      }
    } catch (error) {
      this.internalError(connection, error);
    }
  }

  private internalError(connection: ClientConnection, error: unknown): void {
    this.logger.error(error);
    connection.sendError({ code: 'internal', message: 'internal error' });
  }
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

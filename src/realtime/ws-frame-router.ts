/** Checks and routes each inbound frame of a socket to its @SubscribeMessage handler. */
import { Injectable, Logger } from '@nestjs/common';
import type { RawData, WebSocket } from 'ws';
import { MetricsService } from '../metrics/metrics.service';
import { ConnectionRegistry } from './connection-registry';
import { CloseCode, encodeFrame, type ErrorCode } from './protocol';

type Handler = (data: unknown, event: string) => unknown;

@Injectable()
export class WsFrameRouter {
  private readonly logger = new Logger(WsFrameRouter.name);

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
  ) {}

  route(socket: WebSocket, raw: RawData, isBinary: boolean, handlers: Map<string, Handler>): void {
    this.metrics.frameReceived();
    const connection = this.registry.forSocket(socket);
    if (!connection) return; // refused at connect (e.g. too many sockets); closing already
    if (!connection.allowFrame()) {
      connection.close(CloseCode.Policy, 'too many frames');
      return;
    }
    const fail = (code: ErrorCode, message: string) =>
      connection.send(encodeFrame('error', { code, message }));
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
    try {
      const result = handler(frame['data'] ?? {}, event);
      if (result instanceof Promise) {
        result.catch((error: unknown) =>
          this.internalError(connection.send.bind(connection), error),
        );
      }
    } catch (error) {
      this.internalError(connection.send.bind(connection), error);
    }
  }

  private internalError(send: (frame: string) => boolean, error: unknown): void {
    this.logger.error(error);
    send(encodeFrame('error', { code: 'internal', message: 'internal error' }));
  }
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

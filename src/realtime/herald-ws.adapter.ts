/**
 * `@nestjs/platform-ws` adapter with Herald's socket policy: auth during the upgrade, the
 * subprotocol answer, inbound frame size (1009, enforced by `ws`), permessage-deflate off, and
 * a frame pipeline that answers every bad frame with an `error` event. The stock adapter drops
 * malformed and unknown frames silently, which the protocol does not allow.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WsFrameRouter } from './ws-frame-router';
import { WsHandshake } from './ws-handshake';

export class HeraldWsAdapter extends WsAdapter {
  constructor(private readonly appContext: INestApplicationContext) {
    super(appContext);
  }

  override create(port: number, options: Record<string, unknown> = {}): unknown {
    const handshake = this.appContext.get(WsHandshake);
    const config = this.appContext.get<AppConfig>(APP_CONFIG);
    return super.create(port, {
      ...options,
      verifyClient: handshake.verifyClient,
      handleProtocols: handshake.handleProtocols,
      maxPayload: config.ws.maxPayload,
      perMessageDeflate: false,
      clientTracking: true,
    });
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    const router = this.appContext.get(WsFrameRouter);
    const byEvent = new Map<string, (data: unknown, event: string) => unknown>();
    for (const handler of handlers) {
      byEvent.set(String(handler.message), handler.callback as (d: unknown, e: string) => unknown);
    }
    client.on('message', (data: RawData, isBinary: boolean) =>
      router.route(client, data, isBinary, byEvent),
    );
  }
}

/**
 * The widget's connection: the WebSocket first; when it cannot get through (the upgrade fails
 * or the socket closes before `ready` while REST answers, as behind a proxy that strips
 * `Upgrade`), server-sent events instead, and the WebSocket again every WS_RETRY_MS. Both give
 * InboxClient the same frames, so nothing above this class knows which one is in use.
 */
import type { ClientEventName, ClientEvents } from '../../realtime/protocol';
import { RealtimeConnection, type ConnectionListener } from './realtime-connection';
import type { RestClient } from './rest-client';
import { SseConnection } from './sse-connection';
import type { TokenSource } from './token-source';

const WS_RETRY_MS = 5 * 60_000;

export class FallbackConnection {
  private readonly ws: RealtimeConnection;
  private readonly sse: SseConnection;
  private running = false;
  private wsRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(server: string, tokens: TokenSource, rest: RestClient, listener: ConnectionListener) {
    this.ws = new RealtimeConnection(server, tokens, rest, {
      ...listener,
      unreachable: () => this.useStream(),
    });
    this.sse = new SseConnection(server, tokens, listener);
  }

  /** 'websocket' or 'sse': which transport is in use (for tests and diagnostics). */
  get transport(): 'websocket' | 'sse' {
    return this.sse.active ? 'sse' : 'websocket';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.ws.start();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.wsRetry);
    this.ws.stop();
    this.sse.stop();
  }

  send<E extends ClientEventName>(event: E, data: ClientEvents[E]): boolean {
    return this.sse.active ? this.sse.send(event, data) : this.ws.send(event, data);
  }

  retryNow(): void {
    if (this.sse.active) this.sse.retryNow();
    else this.ws.retryNow();
  }

  private useStream(): void {
    if (!this.running) return;
    this.ws.stop();
    this.sse.start();
    clearTimeout(this.wsRetry);
    this.wsRetry = setTimeout(() => this.tryWebSocketAgain(), WS_RETRY_MS);
  }

  /** Back to the WebSocket; if it still cannot get through, `unreachable` brings SSE back. */
  private tryWebSocketAgain(): void {
    if (!this.running) return;
    this.sse.stop();
    this.ws.start();
  }
}

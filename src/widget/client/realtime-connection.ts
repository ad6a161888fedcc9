/**
 * One WebSocket to Herald's `/ws`, kept open: token in the subprotocol pair (never in the URL),
 * reconnects with backoff, a renewed token after 4401, and a full stop when the token is
 * rejected, so a bad token costs the server one attempt instead of a retry loop.
 */
import {
  CloseCode,
  WS_BEARER_PREFIX,
  WS_PATH,
  WS_SUBPROTOCOL,
  type ClientEventName,
  type ClientEvents,
  type Frame,
} from '../../realtime/protocol';
import { Reconnector } from './reconnector';
import type { RestClient } from './rest-client';
import type { TokenSource } from './token-source';
import type { ConnectionStatus } from './types';

export interface ConnectionListener {
  frame(frame: Frame): void;
  /** `retryAt`: epoch ms of the next attempt while offline, null when waiting for the network. */
  status(status: ConnectionStatus, retryAt: number | null): void;
  /**
   * The WebSocket cannot get through although the server answers REST (a proxy that strips
   * `Upgrade`, a blocked `/ws`): the owner may switch transports; without this hook, retry.
   */
  unreachable?(): void;
}

/** App-level ping cadence; a socket silent for two of these is presumed dead. */
const HEARTBEAT_MS = 25_000;

export class RealtimeConnection {
  private socket: WebSocket | null = null;
  private running = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private gotReady = false;
  private readonly reconnect: Reconnector;
  private readonly onOnline = () => this.retryNow();

  constructor(
    private readonly server: string,
    private readonly tokens: TokenSource,
    private readonly rest: RestClient,
    private readonly listener: ConnectionListener,
  ) {
    this.reconnect = new Reconnector(tokens, {
      status: (status, retryAt) => listener.status(status, retryAt),
      reopen: () => void this.open(),
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    void this.open();
  }

  stop(): void {
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'widget closed');
  }

  /** Sends a frame if the socket is open; false otherwise. */
  send<E extends ClientEventName>(event: E, data: ClientEvents[E]): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify({ event, data }));
    return true;
  }

  /** Skips the wait of a pending reconnect (the user's "Retry now", the network coming back). */
  retryNow(): void {
    if (!this.running || this.socket) return;
    this.reconnect.reset();
    void this.open();
  }

  private async open(): Promise<void> {
    this.reconnect.attempting();
    let token: string;
    try {
      token = await this.tokens.current();
    } catch {
      return this.scheduleRetry(); // the app's getToken failed: try again later
    }
    if (!this.running || this.socket) return;
    const url = this.server.replace(/^http/, 'ws') + WS_PATH;
    const socket = new WebSocket(url, [WS_SUBPROTOCOL, WS_BEARER_PREFIX + token]);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => (opened = true);
    socket.onmessage = (message) => this.receive(message);
    this.gotReady = false;
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.detach();
      void this.afterClose(event.code, opened, this.gotReady);
    };
  }

  private receive(message: MessageEvent): void {
    this.lastFrameAt = Date.now();
    let frame: Frame;
    try {
      frame = JSON.parse(String(message.data)) as Frame;
    } catch {
      return;
    }
    if (typeof frame?.event !== 'string') return;
    if (frame.event === 'ready') {
      this.gotReady = true;
      this.reconnect.connected();
      this.startHeartbeat();
    }
    this.listener.frame(frame);
  }

  private async afterClose(code: number, opened: boolean, gotReady: boolean): Promise<void> {
    if (!this.running) return;
    // A refused upgrade reaches browser code as a bare close; REST tells a 401 apart, and a
    // REST answer to a socket that never reached `ready` says the WebSocket is what fails.
    const probe = code === CloseCode.TokenExpired || gotReady ? null : await this.rest.probe();
    const rejected = code === CloseCode.TokenExpired || probe === 401;
    if (!this.running || this.socket) return;
    if (!rejected && probe !== null && probe >= 200 && probe < 300 && this.listener.unreachable) {
      return this.listener.unreachable();
    }
    if (!rejected) return this.scheduleRetry();
    if ((await this.reconnect.renewToken()) && this.running && !this.socket) void this.open();
  }

  private scheduleRetry(): void {
    if (this.running) this.reconnect.retryLater(); // offline, the 'online' event resumes
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (Date.now() - this.lastFrameAt > 2 * HEARTBEAT_MS) {
        // A dead peer may take minutes to report its close: drop it now and reconnect.
        this.detach();
        socket.close();
        this.scheduleRetry();
        return;
      }
      this.send('ping', {});
    }, HEARTBEAT_MS);
  }

  private detach(): void {
    const socket = this.socket;
    if (socket) socket.onopen = socket.onmessage = socket.onclose = null;
    this.socket = null;
    clearInterval(this.heartbeat);
    this.reconnect.disconnected();
  }

  private clearTimers(): void {
    this.reconnect.cancel();
    clearInterval(this.heartbeat);
  }
}

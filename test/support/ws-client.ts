/**
 * A small WebSocket test client (the WebsocketCommunicator of Channels): connects as a user,
 * records every frame, and awaits events with a timeout that rejects.
 */
import WebSocket from 'ws';
import type { ServerEventName, ServerEvents } from '../../src/realtime/protocol';

export interface Received<E extends ServerEventName = ServerEventName> {
  event: E;
  data: ServerEvents[E];
}

export interface ConnectOptions {
  /** How the token travels: `?token=` (default) or the `bearer.<jwt>` subprotocol. */
  via?: 'query' | 'protocol';
  origin?: string;
  /** Wait for the `ready` frame before resolving (default true). */
  waitReady?: boolean;
}

export class TestSocket {
  readonly frames: Received[] = [];
  private cursor = new Map<string, number>();
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      this.frames.push(JSON.parse(raw.toString('utf8')) as Received);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  static async connect(
    wsUrl: string,
    token: string,
    options: ConnectOptions = {},
  ): Promise<TestSocket> {
    const via = options.via ?? 'query';
    const url = via === 'query' ? `${wsUrl}?token=${encodeURIComponent(token)}` : wsUrl;
    const protocols = via === 'protocol' ? ['herald.v1', `bearer.${token}`] : undefined;
    const ws = new WebSocket(url, protocols, {
      headers: options.origin ? { origin: options.origin } : {},
    });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
      );
    });
    if (options.waitReady ?? true) await socket.next('ready');
    return socket;
  }

  /** The HTTP status the server answers an upgrade with (101 when it accepts). */
  static upgradeStatus(
    url: string,
    options: { protocols?: string[]; origin?: string } = {},
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols, {
        headers: options.origin ? { origin: options.origin } : {},
      });
      let gotFrame = false;
      ws.on('message', () => (gotFrame = true));
      ws.once('unexpected-response', (_req, res) => {
        if (gotFrame) reject(new Error('a frame arrived before the refusal'));
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.close();
      });
      ws.once('error', (error) => reject(error));
    });
  }

  send(event: string, data: unknown = {}): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame of `event` not yet taken by an earlier `next` (rejects after timeoutMs). */
  async next<E extends ServerEventName>(event: E, timeoutMs = 3000): Promise<ServerEvents[E]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const start = this.cursor.get(event) ?? 0;
      const index = this.frames.findIndex((f, i) => i >= start && f.event === event);
      if (index >= 0) {
        this.cursor.set(event, index + 1);
        return this.frames[index].data as ServerEvents[E];
      }
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`socket closed while waiting for '${event}'`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${event}' frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Every frame of `event` received so far. */
  all<E extends ServerEventName>(event: E): ServerEvents[E][] {
    return this.frames.filter((f) => f.event === event).map((f) => f.data as ServerEvents[E]);
  }

  /** Waits `ms` and returns how many frames of `event` arrived in total. */
  async countAfter(event: ServerEventName, ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.all(event).length;
  }

  close(): void {
    this.ws.close();
  }
}

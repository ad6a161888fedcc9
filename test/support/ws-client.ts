/**
 * The old test socket, kept for the suites not yet moved to the client: a HeraldSocket
 * (src/client) with the token in `?token=` by default, `next(event, ms)`, a `close()` that
 * does not wait, and `countAfter`. New tests use `HeraldClient.connect` / `useTestApp`.
 */
import { HeraldSocket, type SocketOptions } from '../../src/client';
import type { ServerEventName, ServerEvents } from '../../src/realtime/protocol';

export type ConnectOptions = Pick<SocketOptions, 'via' | 'origin' | 'waitReady'>;

export class TestSocket {
  private constructor(readonly socket: HeraldSocket) {}

  static async connect(
    wsUrl: string,
    token: string,
    options: ConnectOptions = {},
  ): Promise<TestSocket> {
    return new TestSocket(await HeraldSocket.connect(wsUrl, token, { via: 'query', ...options }));
  }

  static upgradeStatus = HeraldSocket.upgradeStatus.bind(HeraldSocket);

  get ws() {
    return this.socket.ws;
  }

  get frames() {
    return this.socket.frames;
  }

  get closed() {
    return this.socket.closed;
  }

  /** Any event name and data: tests send frames the protocol does not have. */
  send(event: string, data: unknown = {}): void {
    this.socket.ws.send(JSON.stringify({ event, data }));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.sendRaw(data, binary);
  }

  next<E extends ServerEventName>(event: E, timeoutMs = 3000): Promise<ServerEvents[E]> {
    return this.socket.next(event, { timeoutMs });
  }

  all<E extends ServerEventName>(event: E): ServerEvents[E][] {
    return this.socket.all(event);
  }

  /** Waits `ms` and returns how many frames of `event` arrived in total. */
  async countAfter(event: ServerEventName, ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.all(event).length;
  }

  close(): void {
    void this.socket.close();
  }
}

/**
 * A WebSocket connection to Herald's `/ws` (the `ws` package): connects as a user, records
 * every frame, awaits events with timeouts that reject, keeps the last seq it saw and resumes
 * from it on a new connection. What Channels' WebsocketCommunicator is to a consumer.
 *
 *   const socket = await HeraldSocket.connect('ws://127.0.0.1:3000/ws', token);
 *   const n = await socket.next('notification', { timeoutMs: 5000 });
 *   const again = await socket.reconnect(); // replays everything after socket.lastSeq
 */
import WebSocket from 'ws';
import {
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
  type ClientEventName,
  type ClientEvents,
  type ServerEventName,
  type ServerEvents,
} from '../realtime/protocol';
import { EventLog, type ServerFrame, type WaitForOptions, type WaitOptions } from './event-log';
import { HeraldSocketError } from './herald-socket-error';
import { opened, upgradeStatus, type UpgradeOptions } from './ws-handshake';

export interface SocketOptions {
  /** How the token travels: the `bearer.<jwt>` subprotocol (default, kept out of logs) or `?token=`. */
  via?: 'protocol' | 'query';
  /** The `Origin` header (checked against ALLOWED_ORIGINS; none is sent by default). */
  origin?: string;
  /** Resolve `connect` only once `ready` arrived (default true). */
  waitReady?: boolean;
  /**
   * Send `resume {afterSeq}` right after `ready` and resolve once `resumed` arrived: the
   * notifications after this seq are replayed, in order, before any live one.
   */
  resumeFrom?: number;
  /** How long `connect` waits for the upgrade, `ready` and the replay (default 5000 ms). */
  timeoutMs?: number;
}

/** Where a socket connected, so that `reconnect` opens the same. */
export interface Target {
  wsUrl: string;
  token: string;
  options: SocketOptions;
}

export interface Closed {
  code: number;
  reason: string;
}

export class HeraldSocket {
  /** Every frame received, in order. */
  readonly log: EventLog;
  /** Resolves when the connection is closed, by either side, with the close code. */
  readonly closed: Promise<Closed>;
  /** The `ready` frame (undefined until it arrived). */
  ready: ServerEvents['ready'] | undefined;
  private failure: string | undefined;

  /** Use `HeraldSocket.connect`; this wraps a `ws` socket that is still connecting. */
  constructor(
    readonly ws: WebSocket,
    private readonly target: Target,
  ) {
    this.log = new EventLog(target.options.resumeFrom);
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as ServerFrame;
      if (frame.event === 'ready') this.ready = frame.data;
      this.log.push(frame);
    });
    // A failed upgrade rejects `connect`; any later error is followed by 'close', which ends
    // the log (pending waits reject, naming the error).
    ws.on('error', (error) => (this.failure = error.message));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.log.end(`socket closed (${code}${this.failure ? `, ${this.failure}` : ''})`);
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens `/ws` as the token's user; rejects with a HeraldError when the upgrade is refused. */
  static async connect(
    wsUrl: string,
    token: string,
    options: SocketOptions = {},
  ): Promise<HeraldSocket> {
    const via = options.via ?? 'protocol';
    const url = via === 'query' ? `${wsUrl}?token=${encodeURIComponent(token)}` : wsUrl;
    const protocols = via === 'protocol' ? [WS_SUBPROTOCOL, `${WS_BEARER_PREFIX}${token}`] : [];
    const ws = new WebSocket(url, protocols, {
      headers: options.origin ? { origin: options.origin } : {},
    });
    const socket = new HeraldSocket(ws, { wsUrl, token, options });
    const timeoutMs = options.timeoutMs ?? 5000;
    await opened(ws, timeoutMs);
    if (options.waitReady ?? true) await socket.next('ready', { timeoutMs });
    if (options.resumeFrom !== undefined) await socket.resume(options.resumeFrom, { timeoutMs });
    return socket;
  }

  /** The HTTP status Herald answers an upgrade with (101 when it accepts), never a frame first. */
  static upgradeStatus(url: string, options: UpgradeOptions = {}): Promise<number> {
    return upgradeStatus(url, options);
  }

  get frames(): ServerFrame[] {
    return this.log.frames;
  }

  /** The highest notification seq received (or `resumeFrom`): where a new connection resumes. */
  get lastSeq(): number {
    return this.log.lastSeq;
  }

  /** The next frame of `event` not taken by an earlier `next` (a number: the timeout in ms). */
  next<E extends ServerEventName>(
    event: E,
    options: WaitOptions | number = {},
  ): Promise<ServerEvents[E]> {
    const wait = typeof options === 'number' ? { timeoutMs: options } : options;
    return this.log.next(event, wait) as Promise<ServerEvents[E]>;
  }

  /** The first frame (from `options.from` on) that `predicate` accepts. */
  waitFor(predicate: (frame: ServerFrame) => boolean, options?: WaitForOptions) {
    return this.log.waitFor(predicate, options);
  }

  /** Every frame of `event` received so far. */
  all<E extends ServerEventName>(event: E): ServerEvents[E][] {
    return this.log.all(event) as ServerEvents[E][];
  }

  send<E extends ClientEventName>(event: E, data: ClientEvents[E]): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  /** Bytes as they are (malformed frames, binary frames: for tests of the server's limits). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /**
   * Sends `resume {afterSeq}` and resolves with its `resumed` answer, once the replayed
   * notifications are in `frames`; rejects with a HeraldSocketError when answered `error`.
   */
  async resume(afterSeq = this.lastSeq, options: WaitOptions = {}) {
    return this.answer('resumed', () => this.send('resume', { afterSeq }), options);
  }

  /** Sends `ping` and resolves on its `pong`. */
  async ping(options: WaitOptions = {}): Promise<void> {
    await this.answer('pong', () => this.send('ping', {}), options);
  }

  /** A new connection of the same user that replays everything after this one's `lastSeq`. */
  reconnect(options: SocketOptions = {}): Promise<HeraldSocket> {
    const { wsUrl, token } = this.target;
    const again = { ...this.target.options, resumeFrom: this.lastSeq, ...options };
    return HeraldSocket.connect(wsUrl, token, again);
  }

  /**
   * Closes the connection (a close frame, `code` and `reason` if given) and resolves once it is
   * closed; a peer that does not complete the close within `timeoutMs` is dropped.
   */
  async close(code?: number, reason?: string, timeoutMs = 2000): Promise<Closed> {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(code, reason);
    const timer = setTimeout(() => this.ws.terminate(), timeoutMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops the TCP connection without a close frame (a peer that vanished). */
  terminate(): Promise<Closed> {
    this.ws.terminate();
    return this.closed;
  }

  private async answer<E extends 'resumed' | 'pong'>(
    event: E,
    sendIt: () => void,
    options: WaitOptions,
  ): Promise<ServerEvents[E]> {
    const from = this.frames.length;
    sendIt();
    const frame = await this.waitFor((f) => f.event === event || f.event === 'error', {
      ...options,
      from,
      what: `the answer '${event}'`,
    });
    if (frame.event === 'error') throw new HeraldSocketError(frame.data);
    return frame.data as ServerEvents[E];
  }
}

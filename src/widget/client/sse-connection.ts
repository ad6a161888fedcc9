/**
 * The fallback transport: Herald's `/v1/stream` (server-sent events) read with fetch, so the
 * token travels in the Authorization header and never in a URL. It offers RealtimeConnection's
 * interface to InboxClient. The stream cannot carry frames from the client: a `resume` becomes
 * a new stream opened with `Last-Event-ID: afterSeq`, which the server replays exactly as a
 * `resume` (same `ready`, replay, `resumed` order), and read changes go over REST as always.
 */
import {
  CloseCode,
  type ClientEventName,
  type ClientEvents,
  type Frame,
} from '../../realtime/protocol';
import type { ConnectionListener } from './realtime-connection';
import { Reconnector } from './reconnector';
import type { TokenSource } from './token-source';

/** The server sends a comment at least every 15 s: silence for this long means a dead stream. */
const SILENCE_MS = 45_000;

export class SseConnection {
  private controller: AbortController | null = null;
  private running = false;
  /** The cursor the current stream was opened with (it replays after it), or null. */
  private openedAfter: number | null = null;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastByteAt = 0;
  private readonly reconnect: Reconnector;

  constructor(
    private readonly server: string,
    private readonly tokens: TokenSource,
    private readonly listener: ConnectionListener,
  ) {
    this.reconnect = new Reconnector(tokens, {
      status: (status, retryAt) => listener.status(status, retryAt),
      // A reconnect starts afresh; InboxClient asks for the replay it needs after `ready`.
      reopen: () => void this.open(null),
    });
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.open(null);
  }

  stop(): void {
    this.running = false;
    this.detach();
    this.reconnect.cancel();
  }

  /** `resume` is answered by the server when the stream was opened after that seq; else reopens. */
  send<E extends ClientEventName>(event: E, data: ClientEvents[E]): boolean {
    if (!this.running) return false;
    if (event === 'ping') return this.controller !== null;
    if (event !== 'resume') return false;
    const { afterSeq } = data as ClientEvents['resume'];
    if (this.controller && this.openedAfter === afterSeq) return true;
    this.detach();
    void this.open(afterSeq);
    return true;
  }

  retryNow(): void {
    if (!this.running || this.controller) return;
    this.reconnect.reset();
    void this.open(this.openedAfter);
  }

  private async open(afterSeq: number | null): Promise<void> {
    this.reconnect.attempting();
    let token: string;
    try {
      token = await this.tokens.current();
    } catch {
      return this.scheduleRetry();
    }
    if (!this.running || this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.openedAfter = afterSeq;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'text/event-stream',
    };
    if (afterSeq !== null) headers['Last-Event-ID'] = String(afterSeq);
    let response: Response;
    try {
      response = await fetch(`${this.server}/v1/stream`, {
        headers,
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      if (this.controller === controller) this.afterEnd(controller, null);
      return;
    }
    if (this.controller !== controller) return;
    if (response.status === 401) return void this.rejected(controller);
    if (!response.ok || !response.body) return this.afterEnd(controller, null);
    await this.read(controller, response.body);
  }

  private async read(controller: AbortController, body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    this.lastByteAt = Date.now();
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastByteAt > SILENCE_MS) controller.abort();
    }, SILENCE_MS / 3);
    let buffer = '';
    let closeCode: number | null = null;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.controller !== controller) break;
        this.lastByteAt = Date.now();
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!frame) continue;
          if (frame.event === 'close') {
            closeCode = (frame.data as { code?: number } | null)?.code ?? null;
            continue;
          }
          this.deliver(frame as Frame);
        }
      }
    } catch {
      // aborted or the network dropped: handled below like an end
    }
    if (this.controller === controller) this.afterEnd(controller, closeCode);
  }

  private deliver(frame: Frame): void {
    if (frame.event === 'ready') this.reconnect.connected();
    this.listener.frame(frame);
  }

  private afterEnd(controller: AbortController, closeCode: number | null): void {
    if (this.controller !== controller) return;
    this.detach();
    if (!this.running) return;
    if (closeCode === CloseCode.TokenExpired) return void this.rejected(null);
    this.scheduleRetry();
  }

  private async rejected(controller: AbortController | null): Promise<void> {
    if (controller && this.controller === controller) this.detach();
    if (!this.running) return;
    if ((await this.reconnect.renewToken()) && this.running && !this.controller) {
      void this.open(null);
    }
  }

  private scheduleRetry(): void {
    if (this.running) this.reconnect.retryLater();
  }

  private detach(): void {
    const controller = this.controller;
    this.controller = null;
    controller?.abort();
    clearInterval(this.watchdog);
    this.reconnect.disconnected();
  }
}

interface StreamEvent {
  event: string;
  data: unknown;
}

/** One `text/event-stream` event block → an event; comments and empty blocks → null. */
function parseEvent(block: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { event, data: JSON.parse(data.join('\n')) as unknown };
  } catch {
    return null;
  }
}

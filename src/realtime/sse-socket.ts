/**
 * An SSE response as a ConnectionSocket, so a stream is an ordinary ClientConnection: same
 * registry, sequencer, limits and close rules as a WebSocket. Each frame
 * `{"event":E,"data":D}` becomes `event: E` / `data: D` (plus `id: <seq>` on notifications);
 * a close becomes a last `close {code, reason}` event, then the end of the response (the client
 * reconnects with `Last-Event-ID` and resumes). A slow consumer is cut without a goodbye: its
 * queue is what is over the limit.
 */
import type { MessageEvent } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { ConnectionSocket } from './connection-socket';
import { CloseCode } from './protocol';

/** An event as this stream emits it: its data is already JSON text. */
interface StreamEvent extends MessageEvent {
  type: string;
  data: string;
  id?: string;
}

/** `: \n\n`, a comment line's event. */
const COMMENT_LENGTH = 4;

export class SseSocket implements ConnectionSocket {
  readonly OPEN = 1;
  readyState = 1;
  private emitted = 0;
  private writtenBefore: number;
  /**
   * The stream's resume cursor, sent as every event's `id:` (Nest would otherwise number the
   * events itself, and an EventSource would come back with one of those as Last-Event-ID): the
   * seq of the last notification sent, or before any, the seq the stream started after (the
   * Last-Event-ID it was opened with, else `ready.lastSeq`, after which live delivery starts).
   */
  private cursor: string | null;

  private checkScheduled = false;

  constructor(
    private readonly out: { next(event: MessageEvent): void; complete(): void },
    private readonly raw: Socket,
    private readonly hooks: {
      /** The gateway's liveness sweep pinged (a stream's dead peer shows as a TCP close). */
      pong: () => void;
      /** The backlog passed `maxBufferedBytes`: close it as a slow consumer. */
      overflow: () => void;
      maxBufferedBytes: number;
    },
    openedAfter?: number,
  ) {
    this.writtenBefore = raw.bytesWritten;
    this.cursor = openedAfter === undefined ? null : String(openedAfter);
  }

  /**
   * The socket's own buffer. ClientConnection checks this before each frame, as for a
   * WebSocket; the whole backlog is checked once the frames of a turn have been written (see
   * `checkBacklog`), since Nest writes events one by one, asynchronously, and a burst of them
   * sits in its pipeline for a moment even when the client reads at once.
   */
  get bufferedAmount(): number {
    return this.raw.writableLength;
  }

  /**
   * What this stream has produced that the kernel has not taken yet: events still queued in
   * Nest's SSE pipeline (emitted, not yet written to the socket) plus the socket's own buffer.
   * `bytesWritten` counts what was written to the socket, buffered or not. The event sizes are
   * close estimates (characters, not bytes; chunk framing), so the count is re-based whenever
   * the socket's buffer is empty: an estimate's error cannot pile up over a long stream.
   */
  get backlog(): number {
    const writtenToSocket = this.raw.bytesWritten - this.writtenBefore;
    return Math.max(0, this.emitted - writtenToSocket) + this.raw.writableLength;
  }

  send(frame: string): void {
    if (this.readyState !== this.OPEN) return;
    const event = toEvent(frame);
    if (!event) return;
    if (event.type === 'ready' && this.cursor === null) {
      this.cursor = String((JSON.parse(event.data) as { lastSeq: number }).lastSeq);
    }
    if (event.id !== undefined) this.cursor = event.id;
    else if (this.cursor !== null) event.id = this.cursor;
    this.emitted += eventLength(event);
    this.out.next(event);
    if (!this.checkScheduled) {
      this.checkScheduled = true;
      setImmediate(() => this.checkBacklog());
    }
  }

  /** After this turn's writes went as far as the client lets them: still over the cap? */
  private checkBacklog(): void {
    this.checkScheduled = false;
    if (this.readyState === this.OPEN && this.backlog > this.hooks.maxBufferedBytes) {
      this.hooks.overflow();
    }
  }

  /** A comment line: keeps proxies and the client's idle timer from giving up on the stream. */
  heartbeat(): void {
    if (this.readyState !== this.OPEN) return;
    if (this.raw.writableLength === 0) {
      this.emitted = 0; // everything emitted so far reached the kernel
      this.writtenBefore = this.raw.bytesWritten;
    }
    this.emitted += COMMENT_LENGTH + CHUNK_FRAMING;
    this.out.next({ comment: '' });
  }

  close(code: number, reason: string): void {
    if (this.readyState !== this.OPEN) return;
    if (code === CloseCode.TryAgainLater && reason === 'slow consumer') return this.terminate();
    this.readyState = 3;
    const data = JSON.stringify({ code, reason });
    this.out.next(
      this.cursor === null ? { type: 'close', data } : { type: 'close', data, id: this.cursor },
    );
    this.out.complete();
  }

  ping(): void {
    this.hooks.pong();
  }

  terminate(): void {
    this.readyState = 3;
    this.raw.destroy();
    this.out.complete();
  }
}

/** Chunked transfer encoding around each write: hex length and two CRLFs. */
const CHUNK_FRAMING = 8;

/** The characters Nest writes for `event` (its SSE lines and the blank line). */
function eventLength(event: MessageEvent): number {
  const data = typeof event.data === 'string' ? event.data.length : 0;
  return (
    (event.type ? 8 + event.type.length : 0) +
    (event.id ? 5 + event.id.length : 0) +
    7 +
    data +
    1 +
    CHUNK_FRAMING
  );
}

/** `{"event":"E","data":D}` → an SSE event; D's JSON text is reused, not re-serialized. */
function toEvent(frame: string): StreamEvent | null {
  const match = /^\{"event":"([a-z.]+)","data":/.exec(frame);
  let type: string;
  let data: string;
  if (match && frame.endsWith('}')) {
    type = match[1];
    data = frame.slice(match[0].length, -1);
  } else {
    const parsed = JSON.parse(frame) as { event?: unknown; data?: unknown };
    if (typeof parsed.event !== 'string') return null;
    type = parsed.event;
    data = JSON.stringify(parsed.data ?? {});
  }
  if (type !== 'notification') return { type, data };
  const seq = (JSON.parse(data) as { seq?: unknown }).seq;
  return typeof seq === 'number' ? { type, data, id: String(seq) } : { type, data };
}

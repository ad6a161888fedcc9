/**
 * Server-side state of one WebSocket: who it is, what it has been sent, and its limits.
 * Kept small on purpose: thousands of these live in one process.
 */
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import { NotificationSequencer, type GapFetcher } from './notification-sequencer';
import { nextConnectionId, type PresenceConnection } from './presence-connection';
import { CloseCode } from './protocol';

interface Corkable {
  cork(): void;
  uncork(): void;
}

export interface ConnectionLimits {
  maxFramesPerSecond: number;
  maxBufferedBytes: number;
  gapTimeoutMs: number;
  resumeGraceMs: number;
}

const MAX_FRAMES_BEFORE_READY = 100;

export class ClientConnection implements PresenceConnection {
  readonly connectionId = nextConnectionId();
  alive = true;
  resuming = false;
  readonly sequencer: NotificationSequencer;
  private windowStart = 0;
  private framesInWindow = 0;
  private expiryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Non-notification frames that arrive before `ready` went out; null once ready. */
  private beforeReady: string[] | null = [];
  private readySeq = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private resolveReady!: () => void;
  /** Settles once `ready` has gone out (or the socket closed first). */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  /**
   * The TCP socket under the WebSocket (the upgrade request's socket), when known. Frames sent
   * together are corked into one write: a notification and its `unread` cost one syscall, not
   * two, which is most of the per-frame cost when thousands of sockets are written at once.
   */
  transport: Corkable | null = null;
  /** Called once when the server closes this connection (see ConnectionRegistry.release). */
  onServerClose: () => void = () => undefined;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly limits: ConnectionLimits,
    fetchGap: GapFetcher,
    onGapError: (error: unknown) => void,
    private readonly onSlowConsumer: () => void = () => undefined,
    private readonly onFrameSent: () => void = () => undefined,
  ) {
    this.sequencer = new NotificationSequencer(
      (frame) => this.send(frame),
      fetchGap,
      limits.gapTimeoutMs,
      onGapError,
    );
    this.sequencer.hold(); // nothing goes out before `ready`
  }

  get userId(): string {
    return this.principal.userId;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** A live notification (and the `unread` frame that follows it) into the sequencer. */
  offerNotification(seq: number, frame: string, then: string): void {
    const transport = this.transport;
    if (!transport) return this.sequencer.offer(seq, frame, then);
    transport.cork();
    try {
      this.sequencer.offer(seq, frame, then);
    } finally {
      transport.uncork();
    }
  }

  /**
   * Sends a serialized frame unless the socket's send buffer is over its cap, in which case the
   * slow consumer is closed with 1013: it reconnects and resumes, and its memory stays bounded.
   */
  send(frame: string): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount + frame.length > this.limits.maxBufferedBytes) {
      this.onSlowConsumer();
      this.close(CloseCode.TryAgainLater, 'slow consumer');
      return false;
    }
    this.socket.send(frame);
    this.onFrameSent();
    return true;
  }

  /**
   * Marks `ready` as sent and flushes what waited for it. Live notifications stay held a little
   * longer: a reconnecting client sends `resume` right after `ready`, and a notification let
   * through before that would reach it ahead of the replay (and again inside it). The hold ends
   * at the client's first other frame, or after `resumeGraceMs`; a `resume` takes it over.
   */
  markReady(lastSeq: number): void {
    const waiting = this.beforeReady ?? [];
    this.beforeReady = null;
    for (const frame of waiting) this.send(frame);
    this.readySeq = lastSeq;
    this.graceTimer = setTimeout(() => this.endGrace(), this.limits.resumeGraceMs);
    this.graceTimer.unref();
    this.resolveReady();
  }

  /** Ends the post-`ready` hold (no resume is coming): live delivery starts after `lastSeq`. */
  endGrace(): void {
    if (!this.cancelGrace()) return;
    this.sequencer.release(this.readySeq);
  }

  /** Stops the post-`ready` hold without releasing (a `resume` takes over); false if none. */
  cancelGrace(): boolean {
    if (!this.graceTimer) return false;
    clearTimeout(this.graceTimer);
    this.graceTimer = null;
    return true;
  }

  /** The seq live delivery continues after when no resume says otherwise. */
  get deliveredOrReadySeq(): number {
    return this.sequencer.deliveredSeq ?? this.readySeq;
  }

  /** Sends now, or right after `ready` if that has not gone out yet. */
  sendWhenReady(frame: string): void {
    if (this.beforeReady === null) this.send(frame);
    else if (this.beforeReady.length < MAX_FRAMES_BEFORE_READY) this.beforeReady.push(frame);
  }

  /** Counts an inbound frame; false when the per-second budget is spent. */
  allowFrame(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow += 1;
    return this.framesInWindow <= this.limits.maxFramesPerSecond;
  }

  /** Closes the socket with 4401 when its token expires. */
  scheduleExpiry(onExpire: () => void): void {
    const delay = this.principal.expiresAt * 1000 - Date.now();
    // setTimeout holds at most ~24.8 days; re-arm for longer-lived tokens.
    const step = Math.min(Math.max(delay, 0), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (this.principal.expiresAt * 1000 <= Date.now()) onExpire();
      else this.scheduleExpiry(onExpire);
    }, step);
    this.expiryTimer.unref();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    this.onServerClose();
    this.socket.close(code, reason);
  }

  dispose(): void {
    this.cancelGrace();
    this.resolveReady();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.sequencer.dispose();
  }
}

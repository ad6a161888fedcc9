/**
 * Server-side state of one connection (a WebSocket or an SSE stream): who it is, what it has
 * been sent, and its limits. Kept small on purpose: thousands of these live in one process, so
 * what they report goes through one shared ConnectionHooks object (ConnectionFactory builds
 * both), not closures of their own.
 */
import type { Principal } from '../auth/principal';
import type { ConnectionSocket, Corkable } from './connection-socket';
import { NotificationSequencer, type SequencedFrame } from './notification-sequencer';
import { nextConnectionId, type PresenceConnection } from './presence-connection';
import { CloseCode, encodeFrame, type ServerEvents } from './protocol';

interface ConnectionLimits {
  maxFramesPerSecond: number;
  maxBufferedBytes: number;
  gapTimeoutMs: number;
  resumeGraceMs: number;
}

/** What every connection reports to the rest of the instance: one object for all of them. */
export interface ConnectionHooks {
  /** The notifications of `userId` with afterSeq < seq < beforeSeq, as frames (gap filling). */
  fetchGap(userId: string, afterSeq: number, beforeSeq: number): Promise<SequencedFrame[]>;
  gapFillFailed(error: unknown): void;
  /** Called once, when the server closes the connection (see ConnectionRegistry.release). */
  serverClosed(connection: ClientConnection): void;
  slowConsumerClosed(): void;
  frameSent(): void;
}

interface ClientConnectionOptions {
  socket: ConnectionSocket;
  principal: Principal;
  limits: ConnectionLimits;
  hooks: ConnectionHooks;
  /**
   * The TCP socket under a WebSocket (its upgrade request's socket). Frames sent together are
   * corked into one write: a notification and its `unread` cost one syscall, not two, which is
   * most of the per-frame cost when thousands of sockets are written at once.
   */
  transport?: Corkable;
}

/**
 * Frames that may wait for `ready` (pongs, errors, other devices' read state…). One more closes
 * the connection with 1013, like a send buffer over its cap: the client reconnects and resumes
 * instead of missing a frame.
 */
export const MAX_FRAMES_BEFORE_READY = 100;

export class ClientConnection implements PresenceConnection {
  readonly connectionId = nextConnectionId();
  readonly socket: ConnectionSocket;
  readonly principal: Principal;
  readonly sequencer: NotificationSequencer;
  private readonly limits: ConnectionLimits;
  private readonly hooks: ConnectionHooks;
  private readonly transport: Corkable | null;
  /** Answered the last heartbeat ping (or has had none yet). */
  private alive = true;
  private windowStart = 0;
  private framesInWindow = 0;
  private expiryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Frames sent before `ready` went out, in order; null once it has. */
  private beforeReady: string[] | null = [];
  private readySeq = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private resolveReady!: () => void;
  /** Settles once `ready` has gone out (or the socket closed first). */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(options: ClientConnectionOptions) {
    this.socket = options.socket;
    this.principal = options.principal;
    this.limits = options.limits;
    this.hooks = options.hooks;
    this.transport = options.transport ?? null;
    this.sequencer = new NotificationSequencer({
      emit: (frame) => this.send(frame),
      fetchGap: (afterSeq, beforeSeq) => this.hooks.fetchGap(this.userId, afterSeq, beforeSeq),
      gapTimeoutMs: this.limits.gapTimeoutMs,
      onFetchError: (error) => this.hooks.gapFillFailed(error),
    });
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
   * Sends a serialized frame, or keeps it until `ready` has gone out: `ready` is the first frame
   * of every connection (sendReady). False when the frame will not reach the client: the
   * connection is closed, or has just been closed for a backlog over its cap.
   */
  send(frame: string): boolean {
    if (!this.isOpen) return false;
    if (this.beforeReady === null) return this.write(frame);
    if (this.beforeReady.length >= MAX_FRAMES_BEFORE_READY) {
      this.close(CloseCode.TryAgainLater, 'too many frames before ready');
      return false;
    }
    this.beforeReady.push(frame);
    return true;
  }

  /**
   * Writes a frame unless the socket's send buffer is over its cap, in which case the slow
   * consumer is closed with 1013: it reconnects and resumes, and its memory stays bounded.
   */
  private write(frame: string): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount + frame.length > this.limits.maxBufferedBytes) {
      this.closeSlowConsumer();
      return false;
    }
    this.socket.send(frame);
    this.hooks.frameSent();
    return true;
  }

  /** An `error` frame: the client's frame was refused; the connection stays open. */
  sendError(error: ServerEvents['error']): void {
    this.send(encodeFrame('error', error));
  }

  /** 1013 for a client whose backlog passed WS_MAX_BUFFERED_BYTES: it reconnects and resumes. */
  closeSlowConsumer(): void {
    if (this.closed) return;
    this.hooks.slowConsumerClosed();
    this.close(CloseCode.TryAgainLater, 'slow consumer');
  }

  /** The peer answered a ping (a WebSocket pong; an SSE stream answers at once). */
  markAlive(): void {
    this.alive = true;
  }

  /**
   * One heartbeat (ping/terminate): a peer that did not answer the previous ping is dead and is
   * terminated; any other is pinged.
   */
  heartbeat(): void {
    if (!this.isOpen) return;
    if (!this.alive) return this.socket.terminate();
    this.alive = false;
    this.socket.ping();
  }

  /**
   * Sends `ready`, then the frames that waited for it. Live notifications stay held a little
   * longer: a reconnecting client sends `resume` right after `ready`, and a notification let
   * through before that would reach it ahead of the replay (and again inside it). The hold ends
   * at the client's first other frame, or after `resumeGraceMs`; a `resume` takes it over.
   */
  sendReady(unreadCount: number, lastSeq: number): void {
    const waiting = this.beforeReady ?? [];
    this.beforeReady = null;
    this.write(encodeFrame('ready', { userId: this.userId, unreadCount, lastSeq }));
    for (const frame of waiting) this.write(frame);
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

  /** Counts an inbound frame; false when the per-second budget is spent. */
  allowFrame(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow += 1;
    return this.framesInWindow <= this.limits.maxFramesPerSecond;
  }

  /** From now on, closes the connection with 4401 once its token has expired. */
  expireWithToken(): void {
    const delay = this.principal.expiresAt * 1000 - Date.now();
    // setTimeout holds at most ~24.8 days; re-arm for longer-lived tokens.
    const step = Math.min(Math.max(delay, 0), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (this.principal.expiresAt * 1000 <= Date.now()) {
        this.close(CloseCode.TokenExpired, 'token expired');
      } else {
        this.expireWithToken();
      }
    }, step);
    this.expiryTimer.unref();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    this.hooks.serverClosed(this);
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

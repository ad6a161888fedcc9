/** The transports a ClientConnection runs on, as it sees them. */

/** A socket whose writes can be batched: frames between cork() and uncork() go as one write. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * What a connection needs of its transport: a `ws` WebSocket, or an SSE stream (SseSocket)
 * that turns the same frames into events.
 */
export interface ConnectionSocket {
  readonly readyState: number;
  readonly OPEN: number;
  /** Bytes queued for the peer and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  send(frame: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

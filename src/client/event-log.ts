/**
 * What a connection has received, in order, and the waits on it: `next(event)` takes each
 * frame of an event once, in arrival order; `waitFor(predicate)` finds a frame from a given
 * index on. Both reject after their timeout, or as soon as the connection has ended without
 * the frame. It also keeps the resume cursor: the highest notification seq received.
 * Transport-free (the WebSocket and the SSE stream feed it), so it is unit-tested alone.
 */
import type { Frame, ServerEventName } from '../realtime/protocol';

/** One received frame, discriminated by `event` (narrow with `frame.event === 'notification'`). */
export type ServerFrame = { [E in ServerEventName]: Frame<E> }[ServerEventName];

/** Any `{event, data}` union a transport delivers (the SSE stream adds a `close` event). */
export interface AnyFrame {
  event: string;
  data: unknown;
}

/** The data of the frames of `event` in the union `F`. */
export type DataOf<F extends AnyFrame, E extends F['event']> = Extract<F, { event: E }>['data'];

export interface WaitOptions {
  /** Rejects after this long (default 3000 ms). */
  timeoutMs?: number;
}

export interface WaitForOptions extends WaitOptions {
  /** Look at frames from this index of `frames` on (default 0: every frame so far). */
  from?: number;
  /** Named in the timeout's message. */
  what?: string;
}

export const DEFAULT_WAIT_MS = 3000;

export class EventLog<F extends AnyFrame = ServerFrame> {
  readonly frames: F[] = [];
  private readonly taken = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private endReason: string | undefined;
  private highestSeq: number;

  /** `afterSeq`: where the cursor starts (what a resumed connection had already seen). */
  constructor(afterSeq = 0) {
    this.highestSeq = afterSeq;
  }

  /**
   * The highest `seq` of every `notification` received (or the starting `afterSeq`): send it
   * as `resume {afterSeq}` on a new connection to get exactly what this one missed. Replayed
   * and live notifications both count; `unsnoozed` carries an old row and does not.
   */
  get lastSeq(): number {
    return this.highestSeq;
  }

  get ended(): boolean {
    return this.endReason !== undefined;
  }

  push(frame: F): void {
    this.frames.push(frame);
    const seq = frame.event === 'notification' ? (frame.data as { seq?: unknown }).seq : undefined;
    if (typeof seq === 'number') this.highestSeq = Math.max(this.highestSeq, seq);
    this.wake();
  }

  /** No more frames will come: pending and later waits that are not satisfied reject at once. */
  end(reason: string): void {
    this.endReason ??= reason;
    this.wake();
  }

  /** Every frame of `event` received so far. */
  all<E extends F['event']>(event: E): DataOf<F, E>[] {
    return this.frames.filter((f) => f.event === event).map((f) => f.data as DataOf<F, E>);
  }

  /** The next frame of `event` not taken by an earlier `next`. */
  async next<E extends F['event']>(event: E, options: WaitOptions = {}): Promise<DataOf<F, E>> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const found = await this.until(
      () => {
        const from = this.taken.get(event) ?? 0;
        const index = this.frames.findIndex((f, i) => i >= from && f.event === event);
        if (index < 0) return undefined;
        this.taken.set(event, index + 1);
        return this.frames[index];
      },
      timeoutMs,
      `no '${event}' frame within ${timeoutMs} ms`,
      `'${event}'`,
    );
    return found.data;
  }

  /** The first frame (from `options.from` on) that `predicate` accepts. */
  waitFor(predicate: (frame: F) => boolean, options: WaitForOptions = {}): Promise<F> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const from = options.from ?? 0;
    const what = options.what ?? 'a matching frame';
    return this.until(
      () => this.frames.find((f, i) => i >= from && predicate(f)),
      timeoutMs,
      `no ${what} within ${timeoutMs} ms`,
      what,
    );
  }

  private async until<T>(
    find: () => T | undefined,
    timeoutMs: number,
    timedOut: string,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.endReason !== undefined)
        throw new Error(`${this.endReason} while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(timedOut);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

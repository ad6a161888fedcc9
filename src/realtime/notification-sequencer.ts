/**
 * Puts one socket's live notifications in seq order, exactly once.
 *
 * Seqs are dense per user (see NotificationStore), so the sequencer always knows which seq comes
 * next. Live events can still arrive out of order (two jobs for one user publish to Redis in a
 * different order than they committed) or not at all (Redis dropped a publish). A frame that
 * arrives early is held; if the missing seqs do not arrive within the gap timeout, they are
 * fetched from Postgres. A frame at or below the delivered seq is a duplicate and is dropped.
 *
 * While `hold()`ed (before `ready`, during a `resume` replay) everything is buffered; `release`
 * sets the seq the client already has and flushes what follows it.
 */
export interface SequencedFrame {
  seq: number;
  frame: string;
}

interface SequencerOptions {
  /** Writes one frame to the client. */
  emit: (frame: string) => void;
  /** The notifications with afterSeq < seq < beforeSeq, from Postgres. */
  fetchGap: (afterSeq: number, beforeSeq: number) => Promise<SequencedFrame[]>;
  /** How long a missing seq may take to arrive before it is fetched. */
  gapTimeoutMs: number;
  /** A fetch failed; it is tried again after the next gap timeout. */
  onFetchError: (error: unknown) => void;
}

export class NotificationSequencer {
  private delivered: number | null = null;
  /** A notification frame, or the frame and the one that must follow it (its `unread`). */
  private readonly pending = new Map<number, string | readonly [string, string]>();
  private gapTimer: NodeJS.Timeout | null = null;
  private filling = false;

  constructor(private readonly options: SequencerOptions) {}

  get deliveredSeq(): number | null {
    return this.delivered;
  }

  hold(): void {
    this.delivered = null;
    this.clearGapTimer();
  }

  release(deliveredSeq: number): void {
    this.delivered = deliveredSeq;
    this.drain();
  }

  offer(seq: number, frame: string, then?: string): void {
    if (this.delivered !== null && seq <= this.delivered) return;
    this.pending.set(seq, then === undefined ? frame : [frame, then]);
    if (this.delivered !== null) this.drain();
  }

  dispose(): void {
    this.clearGapTimer();
    this.pending.clear();
  }

  private drain(): void {
    if (this.delivered === null) return;
    for (const seq of this.pending.keys()) {
      if (seq <= this.delivered) this.pending.delete(seq);
    }
    let next = this.pending.get(this.delivered + 1);
    while (next !== undefined) {
      this.pending.delete(this.delivered + 1);
      this.delivered += 1;
      if (typeof next === 'string') this.options.emit(next);
      else for (const frame of next) this.options.emit(frame);
      next = this.pending.get(this.delivered + 1);
    }
    if (this.pending.size === 0) this.clearGapTimer();
    else if (!this.gapTimer && !this.filling) {
      this.gapTimer = setTimeout(() => void this.fillGap(), this.options.gapTimeoutMs);
      this.gapTimer.unref();
    }
  }

  private async fillGap(): Promise<void> {
    this.gapTimer = null;
    if (this.delivered === null || this.pending.size === 0) return;
    const from = this.delivered;
    const until = Math.min(...this.pending.keys());
    this.filling = true;
    try {
      const rows = await this.options.fetchGap(from, until);
      // If the sequencer was held or released meanwhile, that path already drained.
      if (this.delivered === from) {
        for (const row of rows) {
          if (row.seq > from && row.seq < until) this.pending.set(row.seq, row.frame);
        }
        // Seqs never skip, so a seq still missing after the fetch no longer exists (deleted):
        // move past it rather than stall the stream.
        if (!this.pending.has(from + 1)) this.delivered = until - 1;
      }
    } catch (error) {
      this.options.onFetchError(error);
    } finally {
      this.filling = false;
    }
    this.drain();
  }

  private clearGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }
}

/**
 * A token bucket in memory: `burst` tokens, refilled at `ratePerSecond`. The same arithmetic
 * as the Redis script in frame-rate-limiter.ts, for the per-instance fallback while Redis is
 * unreachable.
 */
export interface BucketVerdict {
  allowed: boolean;
  /** When a token will be there again (0 when allowed). */
  retryAfterMs: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  take(now: number): BucketVerdict {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return {
      allowed: false,
      retryAfterMs: Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond),
    };
  }

  /** Full again: the bucket says nothing a fresh one would not, so it can be dropped. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    const elapsed = now - this.updatedAt;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = now;
  }
}

import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds, with the wait until the next', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([0, 0, 0].map((t) => bucket.take(t).allowed)).toEqual([true, true, true]);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(bucket.take(200)).toEqual({ allowed: false, retryAfterMs: 300 });
    expect(bucket.take(500)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(bucket.take(500).allowed).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(10, 2, 0);
    const taken = [1, 2, 3].map(() => bucket.take(60_000).allowed);
    expect(taken).toEqual([true, true, false]);
    expect(bucket.isFull(60_000)).toBe(false);
    expect(bucket.isFull(60_200)).toBe(true);
  });

  it('ignores a clock that goes backwards instead of minting tokens', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000).allowed).toBe(true);
    expect(bucket.take(0).allowed).toBe(false);
    expect(bucket.take(1000).allowed).toBe(false);
    expect(bucket.take(2000).allowed).toBe(true);
  });
});

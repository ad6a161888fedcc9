import { claimTtlSeconds } from './push.queue';

describe('claimTtlSeconds', () => {
  it('outlasts every automatic retry with an hour to spare', () => {
    // Defaults: 10 attempts from 1 s. Publish and decision: 511 s of retries each; follow-ups:
    // 1.2 × 1,023 s at most. Plus the hour.
    expect(claimTtlSeconds(10, 1000)).toBe(Math.ceil(2 * 511 + 1.2 * 1023 + 3600));
    expect(claimTtlSeconds(1, 1000)).toBe(3600 + 2); // one try each: the hour, one follow-up
  });

  it('is at most 7 days however long the retries could go on', () => {
    expect(claimTtlSeconds(100, 600_000)).toBe(7 * 24 * 3600);
    expect(claimTtlSeconds(30, 1000)).toBe(7 * 24 * 3600);
  });

  it('grows with the backoff', () => {
    expect(claimTtlSeconds(10, 10_000)).toBeGreaterThan(claimTtlSeconds(10, 1000));
  });
});

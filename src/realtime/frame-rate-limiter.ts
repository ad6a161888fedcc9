/**
 * The per-user budget for frames that cost a database round trip (`resume`, `read`,
 * `read.all`): one token bucket per user in Redis, shared by all of the user's sockets on every
 * instance (WS_USER_STORAGE_FRAMES_PER_SECOND, WS_USER_STORAGE_FRAMES_BURST). One script call,
 * one round trip, per frame. Over budget the frame is answered `rate_limited`, never closed.
 *
 * Redis unreachable: each instance keeps a bucket of the same size per user in memory, so the
 * database stays protected (a user gets the budget once per instance until Redis is back) and
 * a Redis outage never turns into refused reads.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { failFastRedis, throttledWarn } from './fail-fast-redis';
import { TokenBucket, type BucketVerdict } from './token-bucket';

/**
 * KEYS: the user's bucket (hash: t = Redis time ms of the last update, n = tokens then).
 * ARGV: tokens per second, burst. Returns {allowed 0/1, ms until a token is there}. The key
 * expires once the bucket would be full again: an idle user costs nothing.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 't', 'n')
local tokens = burst
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[1]))
  tokens = math.min(burst, tonumber(state[2]) + elapsed * rate)
end
local allowed, retry = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', string.format('%.3f', now), 'n', string.format('%.6f', tokens))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return {allowed, retry}
`;

type LimiterRedis = Redis & {
  heraldFrameBucket(key: string, ratePerSecond: number, burst: number): Promise<[number, number]>;
};

/** Past this many local buckets, full ones are dropped (they say nothing a new one would not). */
const LOCAL_BUCKETS_SOFT_CAP = 10_000;

@Injectable()
export class FrameRateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FrameRateLimiter.name);
  private readonly warn = throttledWarn(this.logger);
  private readonly redis: LimiterRedis;
  private readonly prefix: string;
  private readonly rate: number;
  private readonly burst: number;
  private readonly local = new Map<string, TokenBucket>();
  private lastPrune = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redis.prefix}:wsframes`;
    this.rate = config.ws.userStorageFramesPerSecond;
    this.burst = config.ws.userStorageFramesBurst;
    this.redis = failFastRedis(config, 'ws-frames', this.warn) as LimiterRedis;
    this.redis.defineCommand('heraldFrameBucket', { numberOfKeys: 1, lua: TAKE });
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch(() => undefined); // keeps reconnecting; local buckets meanwhile
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  /** Takes one token of the user's shared budget. Never rejects. */
  async take(userId: string): Promise<BucketVerdict> {
    try {
      // {…}: a hash tag, one Redis Cluster slot per user.
      const [allowed, retryAfterMs] = await this.redis.heraldFrameBucket(
        `${this.prefix}:{${userId}}`,
        this.rate,
        this.burst,
      );
      return { allowed: allowed === 1, retryAfterMs };
    } catch (error) {
      this.warn(`shared frame budget unavailable, using this instance's: ${String(error)}`);
      return this.takeLocal(userId, Date.now());
    }
  }

  private takeLocal(userId: string, now: number): BucketVerdict {
    let bucket = this.local.get(userId);
    if (!bucket) {
      if (this.local.size >= LOCAL_BUCKETS_SOFT_CAP && now - this.lastPrune >= 1000) {
        this.lastPrune = now;
        for (const [id, old] of this.local) if (old.isFull(now)) this.local.delete(id);
      }
      bucket = new TokenBucket(this.rate, this.burst, now);
      this.local.set(userId, bucket);
    }
    return bucket.take(now);
  }
}

/**
 * ThrottlerStorage on Redis, so a caller's budget is shared by every instance.
 *
 * Written here rather than taken from a package: the maintained Redis storages for
 * @nestjs/throttler (e.g. @nest-lab/throttler-storage-redis) bring their own client setup and
 * do not follow our rules for a Redis outage. This one is one Lua script on a connection made by
 * `createRedis`, keyed under REDIS_PREFIX, and it fails open: while Redis is unreachable
 * requests are let through (and a warning logged) rather than answered 429 or left hanging.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedis } from '../redis/redis.factory';

export interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Fixed window per key. KEYS: hits, block. ARGV: window ms, limit, block ms (0: the caller
 * waits for its window to end). Returns hits, window ms left, blocked (0/1), block ms left.
 */
const INCREMENT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block > 0 then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    redis.call('DEL', KEYS[1])
    return {hits, block, 1, block}
  end
  return {hits, left, 1, left}
end
return {hits, left, 0, 0}
`;

type ThrottleReply = [number, number, number, number];
type WithThrottleCommand = Redis & {
  heraldThrottle(
    hitsKey: string,
    blockKey: string,
    windowMs: number,
    limit: number,
    blockMs: number,
  ): Promise<ThrottleReply>;
};

const WARN_EVERY_MS = 10_000;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly redis: WithThrottleCommand;
  private readonly prefix: string;
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redis.prefix}:throttle`;
    this.redis = createRedis(config, 'throttle', {
      enableOfflineQueue: false,
      commandTimeout: config.redis.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    }) as WithThrottleCommand;
    this.redis.defineCommand('heraldThrottle', { numberOfKeys: 2, lua: INCREMENT });
    this.redis.on('error', (error: Error) => this.warn(`redis connection: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch(() => undefined); // keeps reconnecting; requests fail open
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  /** `ttl` and `blockDuration` in ms (as @nestjs/throttler passes them); times out in seconds. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    // {…} is a hash tag: both keys live in one Redis Cluster slot, as a script needs.
    const base = `${this.prefix}:${throttlerName}:{${key}}`;
    try {
      const [hits, leftMs, blocked, blockLeftMs] = await this.redis.heraldThrottle(
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        blockDuration,
      );
      return {
        totalHits: hits,
        timeToExpire: seconds(leftMs),
        isBlocked: blocked === 1,
        timeToBlockExpire: blocked === 1 ? seconds(blockLeftMs) : 0,
      };
    } catch (error) {
      this.warn(`rate limit not checked, request let through: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: seconds(ttl), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

/** Whole seconds, at least 1 (Retry-After: 0 would invite an immediate retry). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

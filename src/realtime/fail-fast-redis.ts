/**
 * The Redis connection of a decision taken per connection or per frame (presence, the frame
 * budget): while Redis is away a call must fail within REDIS_COMMAND_TIMEOUT_MS — no offline
 * queue, no retries — so that its caller falls back to this instance's own count at once. It
 * keeps reconnecting meanwhile, and an outage is logged at most every 10 s, not once per call.
 */
import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { createRedis } from '../redis/redis.factory';

const WARN_EVERY_MS = 10_000;

/** Not connected yet: `connect()` it (a failed first connect keeps retrying). */
export function failFastRedis(
  config: AppConfig,
  name: string,
  warn: (message: string) => void,
): Redis {
  const redis = createRedis(config, name, {
    enableOfflineQueue: false,
    commandTimeout: config.redis.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  redis.on('error', (error: Error) => warn(`redis connection: ${error.message}`));
  return redis;
}

/** `logger.warn`, at most once every WARN_EVERY_MS. */
export function throttledWarn(logger: Logger): (message: string) => void {
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < WARN_EVERY_MS) return;
    last = now;
    logger.warn(message);
  };
}

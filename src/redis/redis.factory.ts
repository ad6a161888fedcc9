import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';

/** A Redis connection from REDIS_URL. Reconnects forever with a capped backoff. */
export function createRedis(config: AppConfig, name: string, options: RedisOptions = {}): Redis {
  return new Redis(config.redis.url, {
    connectionName: `herald:${name}`,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}

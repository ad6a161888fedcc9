/**
 * Readiness of the Redis side: a PING on a connection of its own (no offline queue, so an
 * outage fails the check at once instead of queueing the PING), every Bull queue's client, and
 * the realtime bus (publish and subscribe connections).
 */
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueDiscovery } from '../metrics/queue-discovery';
import { RealtimeBus } from '../realtime/realtime.bus';
import { createRedis } from '../redis/redis.factory';

@Injectable()
export class RedisHealth implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly timeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly indicators: HealthIndicatorService,
    private readonly queues: QueueDiscovery,
    private readonly bus: RealtimeBus,
  ) {
    this.timeoutMs = config.redis.commandTimeoutMs;
    this.redis = createRedis(config, 'health', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.redis.on('error', () => undefined); // the readiness answer reports it
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  redisCheck() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        await this.redis.ping();
      })
      .withTimeout(this.timeoutMs);
  }

  queueCheck() {
    return this.indicators
      .check('queue')
      .attempt(async () => {
        const queues = this.queues.all();
        await Promise.all(
          queues.map(async (queue) => {
            if (queue.client.status !== 'ready') {
              throw new Error(`queue ${queue.name}: connection ${queue.client.status}`);
            }
            await queue.client.ping();
          }),
        );
        return { queues: queues.map((queue) => queue.name) };
      })
      .withTimeout(this.timeoutMs);
  }

  busCheck() {
    return this.indicators
      .check('realtime_bus')
      .attempt(() => {
        if (!this.bus.connected) throw new Error('pub/sub connection to Redis is down');
      })
      .withTimeout(this.timeoutMs);
  }
}

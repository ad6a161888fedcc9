/**
 * Cross-instance presence in Redis. Each instance keeps one set of the users it holds at least
 * one connection for (WebSocket or SSE: anything in the ConnectionRegistry) and renews it on a
 * heartbeat; instances announce themselves in a sorted set scored by their last heartbeat.
 * A user is online if any instance seen within PRESENCE_TTL_MS lists them. An instance that
 * dies stops renewing: its set expires and its entry falls out of the window, so its users read
 * as offline within PRESENCE_TTL_MS, with nothing to clean up. Writes happen only when a user's
 * local count goes 0 → 1 or 1 → 0; a set lost with Redis is rebuilt at the next heartbeat.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedis } from '../redis/redis.factory';
import { ConnectionRegistry } from './connection-registry';
import type { Presence } from './presence.port';

const HEARTBEAT_MS = 5000;
export const PRESENCE_TTL_MS = 3 * HEARTBEAT_MS;
const USERS_PER_COMMAND = 1000;

@Injectable()
export class UserPresence implements Presence, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UserPresence.name);
  readonly instanceId = randomUUID();
  private readonly redis: Redis;
  private readonly instancesKey: string;
  private readonly ownKey: string;
  private readonly setKey: (instanceId: string) => string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly registry: ConnectionRegistry,
  ) {
    this.redis = createRedis(config, 'presence', { enableOfflineQueue: false, lazyConnect: true });
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    this.instancesKey = `${config.redis.prefix}:presence:instances`;
    this.setKey = (instanceId) => `${config.redis.prefix}:presence:i:${instanceId}`;
    this.ownKey = this.setKey(this.instanceId);
  }

  async onModuleInit(): Promise<void> {
    this.registry.onGroupChange((userId, open) => this.changed(userId, open));
    await this.redis.connect().catch(() => undefined); // reconnects on its own
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      await this.redis.multi().del(this.ownKey).zrem(this.instancesKey, this.instanceId).exec();
    } catch {
      // Redis is away: the entry expires on its own.
    }
    this.redis.disconnect();
  }

  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    const online = new Set<string>();
    if (userIds.length === 0) return online;
    const now = Date.now();
    const instances = await this.redis.zrangebyscore(
      this.instancesKey,
      now - PRESENCE_TTL_MS,
      '+inf',
    );
    if (!instances.includes(this.instanceId)) instances.push(this.instanceId);
    const pipeline = this.redis.pipeline();
    const chunks: string[][] = [];
    for (let i = 0; i < userIds.length; i += USERS_PER_COMMAND) {
      chunks.push(userIds.slice(i, i + USERS_PER_COMMAND));
    }
    for (const instance of instances) {
      for (const chunk of chunks) pipeline.smismember(this.setKey(instance), ...chunk);
    }
    const results = (await pipeline.exec()) ?? [];
    let k = 0;
    for (let i = 0; i < instances.length; i++) {
      for (const chunk of chunks) {
        const [error, flags] = results[k++] ?? [new Error('no reply')];
        if (error) throw error;
        (flags as number[]).forEach((flag, j) => flag && online.add(chunk[j]));
      }
    }
    // This instance's own connections count even before Redis has heard of them.
    for (const userId of userIds) if (this.registry.countFor(userId) > 0) online.add(userId);
    return online;
  }

  private changed(userId: string, open: boolean): void {
    const write = open
      ? this.redis.sadd(this.ownKey, userId)
      : this.redis.srem(this.ownKey, userId);
    write.catch((error: Error) => this.logger.warn(`presence update: ${error.message}`));
  }

  /** Renews this instance's entry; rebuilds its set if Redis lost it (restart, eviction). */
  private async heartbeat(): Promise<void> {
    try {
      const [[, renewed]] = ((await this.redis
        .multi()
        .pexpire(this.ownKey, PRESENCE_TTL_MS)
        .zadd(this.instancesKey, Date.now(), this.instanceId)
        .zremrangebyscore(this.instancesKey, '-inf', Date.now() - 10 * PRESENCE_TTL_MS)
        .exec()) ?? [[null, 1]]) as [Error | null, number][];
      if (renewed === 1) return;
      const users = [...this.registry.userIds()];
      for (let i = 0; i < users.length; i += USERS_PER_COMMAND) {
        await this.redis.sadd(this.ownKey, ...users.slice(i, i + USERS_PER_COMMAND));
      }
      if (users.length) await this.redis.pexpire(this.ownKey, PRESENCE_TTL_MS);
    } catch (error) {
      this.logger.warn(`presence heartbeat: ${(error as Error).message}`);
    }
  }
}

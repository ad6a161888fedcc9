/**
 * The channel layer between instances: one Redis pub/sub channel that every instance
 * subscribes to once (not once per user). A message names its recipients; each instance hands
 * it to the sockets it holds for them (RealtimeDelivery). Sharding this by user (Redis Cluster
 * sharded pub/sub) is a change to this class only.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedis } from '../redis/redis.factory';

/**
 * `n`: notifications of one publish. `c` is the shared content serialized once (see
 * notification-frames.ts).
 */
export interface NotificationsMessage {
  k: 'n';
  c: string;
  /** When the rows were stored (epoch ms), for the delivery latency metric. */
  t?: number;
  /** [userId, id, seq, unread count after it] per recipient */
  r: [string, string, number, number][];
}

/** `f`: one ready-made frame for every socket of the named users. */
export interface FrameMessage {
  k: 'f';
  u: string[];
  f: string;
}

export type BusMessage = NotificationsMessage | FrameMessage;

@Injectable()
export class RealtimeBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeBus.name);
  private readonly channel: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers: ((message: BusMessage) => void)[] = [];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.channel = `${config.redis.prefix}:realtime`;
    // No offline queue for publishing: while Redis is away a publish fails at once and the
    // caller (a job) retries, instead of piling up in memory.
    this.pub = createRedis(config, 'bus-pub', { enableOfflineQueue: false, lazyConnect: true });
    this.sub = createRedis(config, 'bus-sub', { lazyConnect: true });
    for (const [name, client] of [
      ['pub', this.pub],
      ['sub', this.sub],
    ] as const) {
      client.on('error', (error: Error) =>
        this.logger.warn(`redis ${name} connection: ${error.message}`),
      );
    }
    this.sub.on('message', (_channel: string, raw: string) => this.dispatch(raw));
  }

  async onModuleInit(): Promise<void> {
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel);
    } catch (error) {
      // ioredis keeps reconnecting and resubscribes on its own; readiness reports the outage.
      this.logger.error(`realtime bus not connected yet: ${(error as Error).message}`);
      if (this.sub.status !== 'end') void this.sub.subscribe(this.channel).catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
    await Promise.resolve();
  }

  get connected(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  async publish(message: BusMessage): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(message));
  }

  /** Several messages in one pipeline (one write, one round trip); rejects if any failed. */
  async publishAll(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.pub.pipeline();
    for (const message of messages) pipeline.publish(this.channel, JSON.stringify(message));
    const results = await pipeline.exec();
    if (!results) throw new Error('the realtime bus pipeline was not run');
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
  }

  private dispatch(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      this.logger.warn('dropped a malformed bus message');
      return;
    }
    for (const handler of this.handlers) handler(message);
  }
}

/**
 * Finds every Bull queue the app registered (`BullModule.registerQueue`), so metrics and the
 * admin dashboard cover a new queue without being told about it.
 */
import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Queue } from 'bull';

/** `getQueueToken(name)` of @nestjs/bull is `BullQueue_<name>`. */
const QUEUE_TOKEN_PREFIX = 'BullQueue_';

@Injectable()
export class QueueDiscovery {
  private queues: Queue[] | null = null;

  constructor(private readonly discovery: DiscoveryService) {}

  /** One queue per name (a queue registered by two modules is the same queue in Redis). */
  all(): Queue[] {
    if (this.queues) return this.queues;
    const byName = new Map<string, Queue>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Queue | undefined;
      if (
        typeof wrapper.token === 'string' &&
        wrapper.token.startsWith(QUEUE_TOKEN_PREFIX) &&
        instance &&
        typeof instance.getJobCounts === 'function' &&
        !byName.has(instance.name)
      ) {
        byName.set(instance.name, instance);
      }
    }
    this.queues = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    return this.queues;
  }
}

/**
 * Every Bull call made while answering a request goes through these two, so a Redis outage is a
 * prompt 503 (the caller retries) rather than a request hung on ioredis's offline queue.
 */
import { ServiceUnavailableException } from '@nestjs/common';
import type { Queue } from 'bull';
import { withTimeout } from './with-timeout';

/** Refuses at once while the queue's Redis connection is not ready. */
export function assertQueueReady(queue: Queue): void {
  if (queue.client.status !== 'ready') {
    throw new ServiceUnavailableException('the queue is unavailable, retry later');
  }
}

/** `promise`, or a 503 once `ms` have passed without an answer. */
export function withQueueTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withTimeout(
    promise,
    ms,
    () => new ServiceUnavailableException('the queue did not answer in time, retry later'),
  );
}

/**
 * Every Bull call made while answering a request goes through these two, so a Redis outage is a
 * prompt 503 (the caller retries) rather than a request hung on ioredis's offline queue.
 */
import { ServiceUnavailableException } from '@nestjs/common';
import type { Queue } from 'bull';

/** Refuses at once while the queue's Redis connection is not ready. */
export function assertQueueReady(queue: Queue): void {
  if (queue.client.status !== 'ready') {
    throw new ServiceUnavailableException('the queue is unavailable, retry later');
  }
}

/** `promise`, or a 503 once `ms` have passed without an answer. */
export async function withQueueTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ServiceUnavailableException('the queue did not answer in time, retry later')),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

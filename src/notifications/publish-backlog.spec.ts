import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import { PublishBacklog } from './publish-backlog';
import { RetryLaterException } from './retry-later.exception';

const MAX = 100;
const COMMAND_TIMEOUT_MS = 1000;

/** The queue's job counts as Redis would answer them; `answer` settles the sample in flight. */
class FakeQueue {
  readonly client = { status: 'ready' };
  samples = 0;
  private pending: ((jobs: number) => void) | null = null;

  getJobCountByTypes(): Promise<number> {
    this.samples++;
    return new Promise((resolve) => (this.pending = resolve));
  }

  answer(jobs: number): void {
    this.pending?.(jobs);
    this.pending = null;
  }
}

function setUp() {
  const queue = new FakeQueue();
  const config = {
    queue: { publishBacklogMax: MAX },
    redis: { commandTimeoutMs: COMMAND_TIMEOUT_MS },
  } as AppConfig;
  const metrics = { registry: new Registry() } as MetricsService;
  const backlog = new PublishBacklog(queue as unknown as Queue, config, metrics);
  return { queue, backlog, metrics };
}

const refusal = (backlog: PublishBacklog) => {
  try {
    backlog.admit();
    return null;
  } catch (error) {
    return error;
  }
};

let warn: jest.SpyInstance;
beforeEach(() => {
  jest.useFakeTimers();
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
  jest.useRealTimers();
});

describe('PublishBacklog', () => {
  it('admits below the bound and answers 503 (backlog) at it, counting the batcher', async () => {
    const { queue, backlog } = setUp();
    backlog.entered(MAX - 1);
    expect(refusal(backlog)).toBeNull();
    queue.answer(0);
    await jest.advanceTimersByTimeAsync(0);
    backlog.entered(1);
    const refused = refusal(backlog);
    expect(refused).toBeInstanceOf(RetryLaterException);
    expect((refused as RetryLaterException).reason).toBe('backlog');
    backlog.left(1, false); // a batch that was never queued leaves the count
    expect(backlog.size).toBe(MAX - 1);
  });

  it('counts queued jobs as publishes by the mean batch size, and a burst before the sample', async () => {
    const { queue, backlog } = setUp();
    for (let i = 0; i < 20; i++) {
      backlog.entered(10);
      backlog.left(10, true);
    }
    // Queued since the last sample: counted one by one until a sample sees them.
    expect(backlog.size).toBe(200);
    expect(refusal(backlog)).toBeInstanceOf(RetryLaterException); // and starts a sample
    queue.answer(4); // the sample sees 4 jobs in Redis, of about 10 publishes each
    await jest.advanceTimersByTimeAsync(0);
    expect(backlog.size).toBeGreaterThanOrEqual(39);
    expect(backlog.size).toBeLessThanOrEqual(40);
  });

  it('samples Redis at most every 100 ms, never while it is not ready', async () => {
    const { queue, backlog } = setUp();
    backlog.admit();
    queue.answer(0);
    await jest.advanceTimersByTimeAsync(0);
    backlog.admit();
    expect(queue.samples).toBe(1);
    await jest.advanceTimersByTimeAsync(100);
    queue.client.status = 'reconnecting';
    backlog.admit();
    expect(queue.samples).toBe(1);
    queue.client.status = 'ready';
    backlog.admit();
    expect(queue.samples).toBe(2);
  });

  it('gives up on a sample Redis does not answer, keeps the last counts, and samples again', async () => {
    const { queue, backlog } = setUp();
    backlog.admit();
    queue.answer(3);
    await jest.advanceTimersByTimeAsync(100);
    const before = backlog.size;
    backlog.admit(); // this sample hangs
    await jest.advanceTimersByTimeAsync(COMMAND_TIMEOUT_MS);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('queue counts unavailable'));
    expect(backlog.size).toBe(before);
    await jest.advanceTimersByTimeAsync(100);
    backlog.admit();
    expect(queue.samples).toBe(3);
  });

  it('counts every shed request, and logs one summary at most every 10 s', async () => {
    const { backlog, metrics } = setUp();
    backlog.recordShed('backlog');
    backlog.recordShed('backlog');
    backlog.recordShed('timeout');
    expect(warn).toHaveBeenCalledTimes(1); // the first one, at once
    await jest.advanceTimersByTimeAsync(10_000);
    backlog.recordShed('unavailable');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith(
      expect.stringContaining('1 backlog, 1 timeout, 1 unavailable'),
    );
    const shed = await metrics.registry.getSingleMetricAsString('herald_publish_shed_total');
    expect(shed).toContain('herald_publish_shed_total{reason="backlog"} 2');
    expect(shed).toContain('herald_publish_shed_total{reason="unavailable"} 1');
  });
});

import type { MetricsSnapshot } from './prometheus';
import { sleep } from './stats';

/**
 * Polls /metrics while a phase runs: the worst event-loop stall (prom-client resets
 * `nodejs_eventloop_lag_max_seconds` at every scrape, so the max over scrapes is the max over
 * the phase), the largest RSS and the deepest waiting queue.
 */
export class MetricsSampler {
  loopLagMaxMs = 0;
  rssMaxBytes = 0;
  queueWaitingMax = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly herald: { metrics(): Promise<MetricsSnapshot> },
    /**
     * Each scrape walks every socket handle (nodejs_active_handles) and stalls the server for a
     * moment; Prometheus typically scrapes every 15–60 s. The lag and RSS maxima it reads are
     * maxima since the previous scrape, so nothing between scrapes is missed.
     */
    private readonly everyMs = Number(process.env.BENCH_SCRAPE_MS ?? 5000),
  ) {}

  async start(): Promise<void> {
    await this.herald.metrics(); // resets the lag histogram: the phase starts clean
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.take(await this.herald.metrics());
  }

  private async run(): Promise<void> {
    while (this.running) {
      await sleep(this.everyMs);
      try {
        this.take(await this.herald.metrics());
      } catch {
        // a scrape that times out under load is just a missed sample
      }
    }
  }

  private take(snapshot: MetricsSnapshot): void {
    this.loopLagMaxMs = Math.max(
      this.loopLagMaxMs,
      (snapshot.get('nodejs_eventloop_lag_max_seconds') ?? 0) * 1000,
    );
    this.rssMaxBytes = Math.max(
      this.rssMaxBytes,
      snapshot.get('process_resident_memory_bytes') ?? 0,
    );
    this.queueWaitingMax = Math.max(
      this.queueWaitingMax,
      snapshot.sum('herald_queue_jobs{queue="notifications",state="waiting"}'),
    );
  }
}

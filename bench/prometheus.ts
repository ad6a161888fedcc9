/** Reads the Prometheus text exposition of Herald's GET /metrics into a flat lookup. */

export class MetricsSnapshot {
  private constructor(private readonly samples: Map<string, number>) {}

  static parse(text: string): MetricsSnapshot {
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      const value = Number(line.slice(space + 1));
      if (!Number.isNaN(value)) samples.set(line.slice(0, space), value);
    }
    return new MetricsSnapshot(samples);
  }

  /** Sums the same series over several instances; series of `maxOf` metrics take the largest. */
  static merge(snapshots: MetricsSnapshot[], maxOf: string[]): MetricsSnapshot {
    const samples = new Map<string, number>();
    for (const snapshot of snapshots) {
      for (const [series, value] of snapshot.samples) {
        const previous = samples.get(series);
        const metric = series.split('{')[0];
        samples.set(
          series,
          previous === undefined
            ? value
            : maxOf.includes(metric)
              ? Math.max(previous, value)
              : previous + value,
        );
      }
    }
    return new MetricsSnapshot(samples);
  }

  /** A sample by its full series name, e.g. `herald_queue_jobs{queue="notifications",state="waiting"}`. */
  get(series: string): number | undefined {
    return this.samples.get(series);
  }

  /** The sum of every series of a metric (all label sets). */
  sum(metric: string): number {
    let total = 0;
    for (const [series, value] of this.samples) {
      if (series === metric || series.startsWith(`${metric}{`)) total += value;
    }
    return total;
  }
}

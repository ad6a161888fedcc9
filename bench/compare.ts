/**
 * Herald against the reference service (bench/reference) in one run: both servers up side by
 * side, each with its own sockets, and the measured phases interleaved (H R, then R H, ...), so
 * that the machine's drift hits both alike. Absolute figures on a shared machine move by 2×
 * between runs; the ratios printed here, from one run, are what to compare.
 */
import type { BenchRun, ConnectPhase } from './bench-run';
import { unicast, type UnicastOptions } from './scenarios/unicast';

type Line = Record<string, unknown>;
type Phase = Omit<UnicastOptions, 'connected' | 'rate'>;

/** Connects each run's sockets once; later phases reuse them. */
class Connected {
  private readonly phases = new Map<BenchRun, ConnectPhase>();

  constructor(private readonly options: Phase) {}

  async unicast(run: BenchRun, rate: number): Promise<Line> {
    let connected = this.phases.get(run);
    if (!connected) {
      connected = await run.connect(this.options.users, this.options.concurrency);
      this.phases.set(run, connected);
    }
    return unicast(run, { ...this.options, rate, connected });
  }
}

const latency = (line: Line) => (line.latencyMs as { p99: number }).p99;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

function summary(line: Line) {
  return {
    achievedRate: line.achievedRate,
    p99Ms: latency(line),
    lost: line.lost,
    errors: line.errors,
    sustained: line.sustained,
  };
}

/** `repeat` interleaved pairs per rate; each pair also gives one compare line. */
export async function compareUnicast(
  runs: { herald: BenchRun; reference: BenchRun },
  rates: number[],
  repeat: number,
  options: Phase,
): Promise<Line[]> {
  const connected = new Connected(options);
  const lines: Line[] = [];
  for (const rate of rates) {
    for (let r = 0; r < repeat; r++) {
      const order =
        r % 2 === 0 ? (['herald', 'reference'] as const) : (['reference', 'herald'] as const);
      const pair: Partial<Record<'herald' | 'reference', Line>> = {};
      for (const target of order) {
        pair[target] = await connected.unicast(runs[target], rate);
        lines.push(pair[target]);
      }
      const herald = pair.herald as Line;
      const reference = pair.reference as Line;
      const compare = {
        scenario: 'compare',
        commit: herald.commit,
        loadBefore: herald.loadBefore,
        offeredRate: rate,
        order: order.join(','),
        herald: summary(herald),
        reference: summary(reference),
        /** Herald ÷ reference, from this pair: > 1 throughput is better, < 1 p99 is better. */
        throughputRatio: ratio(herald.achievedRate as number, reference.achievedRate as number),
        p99Ratio: ratio(latency(herald), latency(reference)),
      };
      console.error(
        `compare @${rate}/s: throughput ×${compare.throughputRatio}, p99 ×${compare.p99Ratio} ` +
          `(Herald ${Number(herald.achievedRate)}/s p99 ${latency(herald)} ms, reference ` +
          `${Number(reference.achievedRate)}/s p99 ${latency(reference)} ms)`,
      );
      lines.push(compare);
    }
  }
  return lines;
}

/**
 * Step search for the sustained rate (zero loss, zero errors, ≥ 98 % delivered, no backlog at
 * the end: see unicast): up the ladder of `rates` on each target until `misses` steps in a row
 * are not sustained; the answer is the highest sustained step. With two targets the steps are
 * interleaved, each target stopping on its own.
 */
export async function searchSustained(
  runs: Partial<Record<'herald' | 'reference', BenchRun>>,
  rates: number[],
  misses: number,
  options: Phase,
): Promise<Line[]> {
  const connected = new Connected(options);
  const lines: Line[] = [];
  const targets = (['herald', 'reference'] as const).filter((t) => runs[t]);
  const state = Object.fromEntries(
    targets.map((t) => [t, { best: 0, missed: 0, steps: [] as Line[] }]),
  );
  for (const rate of [...rates].sort((a, b) => a - b)) {
    for (const target of targets) {
      const s = state[target];
      if (s.missed >= misses) continue;
      const line = await connected.unicast(runs[target] as BenchRun, rate);
      lines.push(line);
      s.steps.push({ rate, ...summary(line) });
      if (line.sustained) {
        s.best = rate;
        s.missed = 0;
      } else s.missed += 1;
      console.error(
        `search ${target} @${rate}/s: ${line.sustained ? 'sustained' : 'not sustained'}`,
      );
    }
  }
  const result: Line = {
    scenario: 'sustained',
    ladder: rates,
    ...Object.fromEntries(
      targets.map((t) => [t, { sustainedRate: state[t].best, steps: state[t].steps }]),
    ),
  };
  if (runs.herald && runs.reference) {
    result.sustainedRatio = ratio(state.herald.best, state.reference.best);
  }
  lines.push(result);
  return lines;
}

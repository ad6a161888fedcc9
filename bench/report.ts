/**
 * Turns bench result lines (JSON lines, e.g. $BENCH_OUT/results.jsonl) into Markdown tables for
 * bench/RESULTS.md.  Usage: `npx tsx bench/report.ts <results.jsonl>`
 */
import { readFileSync } from 'node:fs';

type Line = Record<string, unknown> & { scenario: string };
type Cells = (line: Line) => unknown[];

const p = (line: Line, key: string) => (line[key] ?? {}) as Record<string, number>;

const tables: Record<string, { head: string[]; cells: Cells }> = {
  unicast: {
    head: [
      'target',
      'instances',
      'per request',
      'offered/s',
      'achieved/s',
      'accepted',
      'delivered',
      'lost',
      'errors',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'sustained',
      'REST max ms',
      'answers by status',
      'server CPU %',
      'others CPU %',
      'load1',
    ],
    cells: (l) => [
      l.target ?? 'herald',
      l.instances ?? 1,
      l.publishesPerRequest ?? 1,
      l.offeredRate,
      l.achievedRate,
      l.accepted,
      l.delivered,
      l.lost,
      l.errors,
      p(l, 'latencyMs').p50,
      p(l, 'latencyMs').p90,
      p(l, 'latencyMs').p99,
      p(l, 'latencyMs').max,
      l.sustained ? 'yes' : 'no',
      p(l, 'restMs').max,
      Object.entries(p(l, 'statusCounts'))
        .map(([status, n]) => `${status}: ${n}`)
        .join(', '),
      p(l, 'cpu').serverPct,
      p(l, 'cpu').othersPct,
      (l.loadBefore as number[])[0],
    ],
  },
  fanout: {
    head: [
      'instances',
      'variant',
      'recipients',
      'rounds',
      'lost',
      'last socket ms (median / max)',
      'p50 ms',
      'p99 ms',
      'notification frames/s (median / min)',
      'all WS frames/s (median)',
      'loop lag max ms',
      'load1',
    ],
    cells: (l) => [
      l.instances ?? 1,
      l.scenario,
      l.recipients,
      l.rounds,
      l.lost,
      `${String(l.lastMsMedian)} / ${String(l.lastMsMax)}`,
      p(l, 'latencyMs').p50,
      p(l, 'latencyMs').p99,
      `${String(l.framesPerSecondMedian)} / ${String(l.framesPerSecondMin)}`,
      l.wsFramesPerSecondMedian,
      l.loopLagMaxMs,
      (l.loadBefore as number[])[0],
    ],
  },
  connections: {
    head: [
      'sockets',
      'failed',
      'connect s',
      'connects/s',
      'RSS before MiB',
      'RSS after MiB',
      'KiB/conn',
      'loop lag max ms',
      'handshake p50/p99 ms',
      'load1',
    ],
    cells: (l) => [
      l.connections,
      l.connectFailed,
      ((l.connectMs as number) / 1000).toFixed(1),
      l.connectPerSecond,
      l.serverRssBeforeMiB,
      l.serverRssAfterMiB,
      l.perConnectionKiB,
      l.connectLoopLagMaxMs,
      `${p(l, 'handshakeMs').p50} / ${p(l, 'handshakeMs').p99}`,
      (l.loadBefore as number[])[0],
    ],
  },
  resume: {
    head: [
      'clients',
      'missed each',
      'exact',
      'wrong',
      'failed',
      'storm ms',
      'p50 ms',
      'p99 ms',
      'loop lag max ms',
      'load1',
    ],
    cells: (l) => [
      l.connections,
      l.missedPerClient,
      l.clientsExact,
      l.clientsWrong,
      l.clientsFailed,
      l.stormMs,
      p(l, 'latencyMs').p50,
      p(l, 'latencyMs').p99,
      l.loopLagMaxMs,
      (l.loadBefore as number[])[0],
    ],
  },
  compare: {
    head: [
      'offered/s',
      'order',
      'Herald achieved/s',
      'Herald p99 ms',
      'Herald lost / errors',
      'reference achieved/s',
      'reference p99 ms',
      'throughput ratio',
      'p99 ratio',
      'load1',
    ],
    cells: (l) => [
      l.offeredRate,
      l.order,
      p(l, 'herald').achievedRate,
      p(l, 'herald').p99Ms,
      `${p(l, 'herald').lost} / ${p(l, 'herald').errors}`,
      p(l, 'reference').achievedRate,
      p(l, 'reference').p99Ms,
      l.throughputRatio,
      l.p99Ratio,
      (l.loadBefore as number[] | undefined)?.[0],
    ],
  },
};

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/report.ts <results.jsonl>');
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Line);
  for (const [kind, table] of Object.entries(tables)) {
    const rows = lines.filter((l) => l.scenario.split('-')[0] === kind);
    if (!rows.length) continue;
    console.log(`\n### ${kind}\n`);
    const head = [...table.head, 'commit', 'command'];
    console.log(`| ${head.join(' | ')} |`);
    console.log(`|${head.map(() => '---').join('|')}|`);
    for (const row of rows) {
      const cells = [...table.cells(row), row.commit, `\`${String(row.command)}\``];
      console.log(`| ${cells.map(String).join(' | ')} |`);
    }
  }
}

main();

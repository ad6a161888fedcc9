/**
 * connections: `connections` idle sockets (one user each), `concurrency` handshakes in flight.
 * Server memory per connection, connect rate, and the worst event-loop stall while connecting.
 */
import type { BenchRun } from '../bench-run';
import { MiB, round1, sleep } from '../stats';

const IDLE_MS = 10_000;

export interface ConnectionsOptions {
  connections: number;
  concurrency: number;
}

export async function connections(
  run: BenchRun,
  options: ConnectionsOptions,
): Promise<Record<string, unknown>> {
  const meter = await run.meter();
  const connect = await run.connect(options.connections, options.concurrency);
  const cpu = await meter.end();
  const idleMeter = await run.meter();
  await sleep(IDLE_MS); // idle: what they cost at rest
  const idleCpu = await idleMeter.end();
  const idle = await run.herald.metrics();
  const rssIdle = idle.get('process_resident_memory_bytes') ?? 0;
  return {
    ...run.header('connections'),
    ...connect,
    concurrency: options.concurrency,
    serverRssIdleMiB: round1(rssIdle / MiB),
    perConnectionIdleKiB: round1(
      (rssIdle - connect.serverRssBeforeMiB * MiB) / Math.max(1, connect.connections) / 1024,
    ),
    serverConnectionsGauge: idle.get('herald_ws_connections'),
    cpu,
    idleCpu,
  };
}

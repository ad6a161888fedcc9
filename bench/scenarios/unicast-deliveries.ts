import type { ClientFleet } from '../client-fleet';
import type { OpenLoopResult } from '../rest-client';
import { nowMs, sleep } from '../stats';

/** Draining stops when nothing arrived for this long, or after DRAIN_MAX_MS in all. */
const DRAIN_IDLE_MS = 5000;
export const DRAIN_MAX_MS = 60_000;

/** What the sockets received of one open-loop run, each request counted once. */
export interface Deliveries {
  /** Accepted requests whose frame arrived (each once). */
  delivered: number;
  /** Frames for requests the server did not accept (should be 0). */
  deliveredUnaccepted: number;
  /** The same request's frame received twice. */
  duplicates: number;
  /** Frames whose seq is at or below the socket's last one (counted by the client workers). */
  seqDuplicates: number;
  /** Frames whose seq skipped ahead of the socket's last one + 1 (counted by the workers). */
  outOfOrder: number;
  /** Frames the run did not send: late warm-up frames, and those the workers call foreign. */
  stray: number;
  /** Scheduled send → frame received, in ms, of every delivered request. */
  latencies: number[];
  /** The same latencies by the second of the run their request was scheduled in. */
  bySecond: number[][];
  lastDeliveryAt: number;
  /** Stopped before `expected` frames arrived (idle for DRAIN_IDLE_MS, or DRAIN_MAX_MS in all). */
  drainTimedOut: boolean;
}

/**
 * Collects frames from the fleet until `expected` accepted requests were delivered or the drain
 * times out. Indices at or past `sent.sent` are late warm-up frames (their indices are offset).
 */
export async function drainDeliveries(
  fleet: Pick<ClientFleet, 'take'>,
  sent: OpenLoopResult,
  expected: number,
  durationS: number,
): Promise<Deliveries> {
  const seen = new Uint8Array(sent.sent);
  const result: Deliveries = {
    delivered: 0,
    deliveredUnaccepted: 0,
    duplicates: 0,
    seqDuplicates: 0,
    outOfOrder: 0,
    stray: 0,
    latencies: [],
    bySecond: Array.from({ length: durationS }, () => []),
    lastDeliveryAt: 0,
    drainTimedOut: false,
  };
  let lastProgress = nowMs();
  const drainStart = nowMs();
  while (result.delivered < expected) {
    const taken = await fleet.take();
    result.seqDuplicates += taken.duplicates;
    result.outOfOrder += taken.outOfOrder;
    result.stray += taken.foreign;
    for (let k = 0; k < taken.received.length; k += 2) {
      const index = taken.received[k];
      const at = taken.received[k + 1];
      if (index >= sent.sent) {
        result.stray += 1; // a late warm-up frame
        continue;
      }
      if (seen[index]) {
        result.duplicates += 1;
        continue;
      }
      seen[index] = 1;
      result.lastDeliveryAt = Math.max(result.lastDeliveryAt, at);
      if (!sent.acceptedFlags[index]) {
        result.deliveredUnaccepted += 1;
        continue;
      }
      result.delivered += 1;
      result.latencies.push(at - sent.scheduledAt[index]);
      const second = Math.floor((sent.scheduledAt[index] - sent.startedAt) / 1000);
      result.bySecond[Math.min(second, durationS - 1)]?.push(at - sent.scheduledAt[index]);
      lastProgress = nowMs();
    }
    if (nowMs() - lastProgress > DRAIN_IDLE_MS || nowMs() - drainStart > DRAIN_MAX_MS) {
      result.drainTimedOut = true;
      break;
    }
    await sleep(200);
  }
  return result;
}

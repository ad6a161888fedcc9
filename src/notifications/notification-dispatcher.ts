/**
 * The one way notifications come into being, whatever caused them (a publish, a task change, a
 * reminder): store the rows (once, NotificationStore), count them, push them to the recipients'
 * groups. Both processors call `dispatch`; nothing else calls NotificationStore or
 * RealtimePublisher.publishNotifications, so what is added here applies to every notification:
 * - before storing, in `dispatch`: anything that changes who gets a row (preferences);
 * - after storing: everything done with stored rows, `toSockets` (metrics, the realtime push)
 *   and Web Push (`push.dispatch`, issued right after the realtime push, not awaiting it). They get each publication or part once it is committed,
 *   `created: false` for rows stored by an earlier run (a retry pushes them again; sockets drop
 *   seqs they already have, Web Push sends each notification at most once).
 * - except for a repeat: rows stored before the publish being dispatched was even accepted come
 *   from an earlier request with the same idempotency key, which pushed them itself. A repeat
 *   "creates nothing new" (API.md), so it pushes nothing, even after Web Push's claims expired.
 *
 * Runs of ordinary publications are stored in one statement each; if Postgres rejects a run for
 * what one publication holds, they are stored one by one so that only the bad one fails (its
 * job is retried, then kept as a failed job) while the rest are delivered. A publication to more
 * than PARTS_ABOVE recipients is stored in parts, each sent to the sockets as soon as it commits,
 * all of them handed to Web Push once the last is stored. Callers guarantee that such a list is
 * the same on a retry (listed user ids, or a frozen topic snapshot, see PublicationSnapshots),
 * so that a retry splits it into exactly the same parts.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { PUSH_DISPATCH, type PushDispatch } from '../push/push.ports';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { NotificationStore, type PublicationInput } from './notification-store';
import { PARTS_ABOVE } from './publication-parts';
import type { StoredPublication } from './notification.types';

export interface Dispatch extends PublicationInput {
  /**
   * Epoch ms when the API accepted it: the queue-wait metric, and what tells a repeated
   * idempotency key from a retry (absent for task notifications: always pushed again).
   */
  acceptedAt?: number;
}

/**
 * A job stores its rows only after the API accepted its publish, so rows stored before
 * `acceptedAt` are an earlier request's. The two times come from different clocks (the
 * accepting instance's and Postgres's): only rows stored this much earlier count as a repeat's,
 * far beyond any skew between synchronised clocks. A repeat sooner than that is pushed again as
 * a retry would be: sockets drop the seqs they have, and Web Push's claims (which live far
 * longer, push-claim-ttl.ts) keep it from pushing twice.
 */
export const REPEAT_AFTER_MS = 60_000;

/** Whether `stored` holds rows an earlier request stored (see REPEAT_AFTER_MS): not pushed. */
export function isRepeat(stored: StoredPublication, from: Dispatch): boolean {
  return (
    !stored.created &&
    from.acceptedAt !== undefined &&
    Date.parse(stored.createdAt) + REPEAT_AFTER_MS < from.acceptedAt
  );
}

@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    private readonly store: NotificationStore,
    private readonly realtime: RealtimePublisher,
    private readonly metrics: MetricsService,
    @Inject(PUSH_DISPATCH) private readonly push: PushDispatch,
  ) {}

  /** Stores and pushes the publications, in order. Rethrows the first failure (after pushing). */
  async dispatch(publications: readonly Dispatch[]): Promise<void> {
    // Parts go to the sockets while later parts are stored. Each send is given a handler at
    // once: one that fails while the job is still storing must fail the job, not the process
    // (an unhandled rejection).
    const sends: Promise<StoredPublication>[] = [];
    const sendPart = (part: StoredPublication, publication: Dispatch) => {
      if (isRepeat(part, publication)) return;
      const sent = this.toSockets([part], [publication]).then(() => part);
      sent.catch(() => undefined);
      sends.push(sent);
    };
    try {
      let run: Dispatch[] = [];
      for (const publication of publications) {
        const target = publication.target;
        const listed = publication.recipients ?? ('userIds' in target ? target.userIds : []);
        if (listed.length > PARTS_ABOVE) {
          if (run.length) await this.storeRun(run);
          run = [];
          await this.store.storeInParts(publication, listed, (part) => sendPart(part, publication));
        } else {
          run.push(publication);
        }
      }
      if (run.length) await this.storeRun(run);
    } finally {
      // Web Push for the parts is queued once every part is stored and sent (or the job has
      // failed): its decisions and sends would otherwise take cores and Postgres from the rest
      // of a large fanout, whose sockets come first. A part whose send failed is left to the
      // job's retry, which sends and pushes it again (a notification is pushed at most once:
      // PushProcessor claims each before sending).
      const sent = await Promise.allSettled(sends);
      const parts = sent.flatMap((one) => (one.status === 'fulfilled' ? [one.value] : []));
      if (parts.length) await this.push.dispatch(parts);
    }
    await Promise.all(sends);
  }

  private async storeRun(run: Dispatch[]): Promise<void> {
    let stored: StoredPublication[];
    try {
      stored = await this.store.storeBatch(run);
    } catch (error) {
      if (run.length === 1 || !isDataError(error)) throw error;
      this.logger.warn(
        `a batch of ${run.length} publishes was refused (${(error as Error).message}); ` +
          'storing them one by one',
      );
      return this.storeOneByOne(run);
    }
    await this.delivered(stored, run);
  }

  private async storeOneByOne(run: Dispatch[]): Promise<void> {
    let firstError: Error | null = null;
    const stored: StoredPublication[] = [];
    const ok: Dispatch[] = [];
    for (const publication of run) {
      try {
        stored.push(...(await this.store.storeBatch([publication])));
        ok.push(publication);
      } catch (error) {
        this.logger.warn(`publication ${publication.publicationId}: ${(error as Error).message}`);
        firstError ??= error as Error;
      }
    }
    await this.delivered(stored, ok);
    if (firstError) throw firstError;
  }

  /** What is done with committed rows: `stored[k]` is what `from[k]` stored (or had stored). */
  private async delivered(
    stored: readonly StoredPublication[],
    from: readonly Dispatch[],
  ): Promise<void> {
    // Web Push's hand-over (one Redis call) goes out with the realtime push, not after it: the
    // decision reads presence when it runs on the push queue, so its order against the socket
    // frames does not matter, and the publish job holds its worker slot one round trip less.
    const fresh = stored.flatMap((one, k) => (isRepeat(one, from[k]) ? [] : [k]));
    if (fresh.length === 0) return;
    const toPush = fresh.map((k) => stored[k]);
    const sources = fresh.map((k) => from[k]);
    await Promise.all([this.toSockets(toPush, sources), this.push.dispatch(toPush)]);
  }

  /** Counts the rows and sends them to the recipients' groups. */
  private async toSockets(
    stored: readonly StoredPublication[],
    from: readonly Dispatch[],
  ): Promise<void> {
    let created = 0;
    stored.forEach((one, k) => {
      if (!one.created) return;
      created += one.recipients.length;
      const acceptedAt = from[k].acceptedAt;
      if (acceptedAt !== undefined) this.metrics.publicationStored(acceptedAt);
    });
    if (created) this.metrics.notificationsPublished(created);
    await this.realtime.publishNotifications(stored);
  }
}

/** Postgres refused the data (class 22 data exception, class 23 integrity violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Runs push jobs. `push-decide`: PushDispatcher.decide picks who gets a push and queues the
 * sends. `push-batch`: each recipient's subscriptions get the notification, eight requests at
 * a time. Outcomes per subscription: sent; 404/410 → the subscription is deleted; 429, 5xx,
 * timeouts → sent again by a follow-up job (after `Retry-After` when the push service gave one,
 * else after an exponential backoff), which carries only what is still to send; other answers →
 * dropped. A notification is claimed in Redis by the batch that pushes it, so a publish job or
 * decision retried after it already queued its pushes does not push twice.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bull';
import { Counter } from 'prom-client';
import type { AppConfig } from '../config/app-config';
import { processByName, type JobHandlers } from '../queues/process-by-name';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { pushPayload } from './push-payload';
import { PushSender, type PushOutcome } from './push-sender';
import { PushSubscriptionsService, type PushTargetRow } from './push-subscriptions.service';
import { PushDispatcher } from './push-dispatcher';
import {
  pushJobData,
  type PushBatchJobData,
  type PushDecideJobData,
  type PushJobs,
  type PushRecipient,
} from './push.jobs';
import { PushQueue } from './push.queue';
import { GroupedCalls } from './grouped-calls';

const SENDS_IN_FLIGHT = 8;
/**
 * Batches whose claims share one Redis pipeline, at most: up to 8 × PUSH_BATCH_SIZE × 2 =
 * 1,600 commands, which Redis runs back to back (about a millisecond), while the serving
 * instances' commands wait.
 */
const CLAIMS_PER_GROUP = 8;

@Injectable()
export class PushProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(PushProcessor.name);
  private readonly handlers: JobHandlers<PushJobs> = {
    'push-decide': (job: Job<PushDecideJobData>) => this.decideAndSend(job.data),
    'push-batch': (job: Job<PushBatchJobData>) => this.run(pushJobData(job.data)),
  };
  private readonly sent: Counter<'outcome'>;
  private readonly claims = new GroupedCalls<
    { key: string; recipients: PushRecipient[] },
    PushRecipient[]
  >((batches) => this.claimGroup(batches), CLAIMS_PER_GROUP);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: PushQueue,
    private readonly subscriptions: PushSubscriptionsService,
    private readonly sender: PushSender,
    private readonly dispatcher: PushDispatcher,
    metrics: MetricsService,
  ) {
    this.sent = new Counter({
      name: 'herald_push_requests_total',
      help: 'Web Push requests to push services, by outcome (sent, gone, retry, dropped, given_up).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    for (const outcome of ['sent', 'gone', 'retry', 'dropped', 'given_up']) {
      this.sent.inc({ outcome }, 0);
    }
  }

  onApplicationBootstrap(): void {
    processByName(this.queue.queue, this.handlers, {
      concurrency: this.config.queue.concurrency,
      processed: this.config.queue.processed,
      logger: this.logger,
    });
  }

  /**
   * A decision's batches are sent at once, not as jobs of their own (a job's add, fetch, lock
   * and completion cost more Redis round trips than the sends' claim). A batch that fails is
   * queued as a `push-batch` job and retried there; if even that fails, the decision fails and
   * is retried, and its batches that had gone out may go out again (Topic collapses them).
   */
  private async decideAndSend(data: PushDecideJobData): Promise<void> {
    const { batches, subscriptions } = await this.dispatcher.decide(data);
    await Promise.all(
      batches.map(async (batch) => {
        try {
          await this.run(batch, subscriptions);
        } catch (error) {
          this.logger.warn(
            `push batch ${batch.key} failed (${(error as Error).message}); queued to retry`,
          );
          await this.queue.addBatches([batch]);
        }
      }),
    );
  }

  /** A batch: `known` holds its recipients' subscriptions when the caller has them. */
  async run(data: PushBatchJobData, known?: readonly PushTargetRow[]): Promise<void> {
    const recipients = data.pending
      ? data.recipients.filter((r) => data.pending?.[r.id]?.length)
      : await this.claim(data.key, data.recipients);
    if (recipients.length === 0) return;
    const pendingIds = data.pending ? Object.values(data.pending).flat() : undefined;
    const userIds = new Set(recipients.map((r) => r.userId));
    const subscriptions =
      known && !pendingIds
        ? known.filter((s) => userIds.has(s.userId))
        : await this.subscriptions.forUsers([...userIds], pendingIds);
    const byUser = new Map<string, typeof subscriptions>();
    for (const s of subscriptions) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);

    const sends: {
      recipient: PushRecipient;
      subscriptionId: string;
      run: () => Promise<PushOutcome>;
    }[] = [];
    for (const recipient of recipients) {
      const wanted = data.pending?.[recipient.id];
      const {
        type,
        title,
        body,
        data: extra,
        createdAt,
        critical,
      } = data.contents[recipient.content];
      const payload = pushPayload({
        type,
        title,
        body,
        data: extra,
        id: recipient.id,
        seq: recipient.seq,
        createdAt,
      });
      for (const s of byUser.get(recipient.userId) ?? []) {
        if (wanted && !wanted.includes(s.id)) continue;
        sends.push({
          recipient,
          subscriptionId: s.id,
          run: () =>
            this.sender.send(
              { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
              payload,
              {
                urgency: critical ? 'high' : 'normal',
                // Collapses repeats of one notification at the push service (32 base64url chars).
                topic: recipient.id.replace(/-/g, ''),
              },
            ),
        });
      }
    }
    const outcomes = await inParallel(
      sends.map((s) => s.run),
      SENDS_IN_FLIGHT,
    );
    const gone: string[] = [];
    const pending: Record<string, string[]> = {};
    let waitMs = 0;
    outcomes.forEach((outcome, k) => {
      this.sent.inc({ outcome: outcome.kind });
      const { recipient, subscriptionId } = sends[k];
      if (outcome.kind === 'gone') gone.push(subscriptionId);
      if (outcome.kind === 'dropped') {
        this.logger.warn(`push to subscription ${subscriptionId} dropped: ${outcome.reason}`);
      }
      if (outcome.kind === 'retry') {
        (pending[recipient.id] ??= []).push(subscriptionId);
        waitMs = Math.max(waitMs, outcome.afterMs ?? 0);
      }
    });
    await this.subscriptions.deleteByIds(gone);
    const left = Object.values(pending).flat().length;
    if (left === 0) return;
    const attempt = data.attempt + 1;
    if (attempt >= this.queue.attempts) {
      this.sent.inc({ outcome: 'given_up' }, left);
      this.logger.warn(
        `push batch ${data.key}: gave up on ${left} sends after ${attempt} attempts`,
      );
      return;
    }
    await this.queue.addFollowUp(
      { ...data, attempt, pending },
      Math.max(waitMs, this.queue.backoffMs(data.attempt)),
    );
  }

  /**
   * The recipients this batch owns: claimed now, or by an earlier run of the same batch. The
   * claims of batches running side by side go to Redis in one pipeline (GroupedCalls).
   */
  private claim(key: string, recipients: PushRecipient[]): Promise<PushRecipient[]> {
    return this.claims.call({ key, recipients });
  }

  private async claimGroup(
    batches: { key: string; recipients: PushRecipient[] }[],
  ): Promise<PushRecipient[][]> {
    const redis = this.queue.queue.client;
    const prefix = `${this.config.redis.prefix}:push:claim:`;
    const ttl = this.queue.claimTtlSeconds;
    const pipeline = redis.pipeline();
    for (const { key, recipients } of batches) {
      for (const r of recipients) {
        pipeline.set(prefix + r.id, key, 'EX', ttl, 'NX');
        pipeline.get(prefix + r.id);
      }
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    let at = 0;
    return batches.map(({ key, recipients }) =>
      recipients.filter(() => {
        const owner = results[at + 1]?.[1];
        at += 2;
        return owner === key;
      }),
    );
  }
}

async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const k = next++;
      results[k] = await tasks[k]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * One push to one subscription, and what its answer means for the subscription. The request
 * itself (encryption, VAPID, HTTPS through an agent that refuses internal addresses, no
 * redirects, a bounded read of the answer) runs in a worker thread: push-send.worker.ts.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { endpointProblem } from './endpoint-policy';
import { PushSendPool } from './push-send-pool';
import type { SendResult } from './push-send.worker';

export type PushOutcome =
  | { kind: 'sent' }
  /** 404/410: the subscription is gone for good. */
  | { kind: 'gone' }
  /** 429, 5xx, timeouts, network errors: try again, not before `afterMs` when given. */
  | { kind: 'retry'; afterMs?: number; reason: string }
  /** Anything else (400, 403, 413, a refused endpoint): retrying would not help. */
  | { kind: 'dropped'; reason: string };

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const MAX_RETRY_AFTER_MS = 3_600_000;

@Injectable()
export class PushSender {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pool: PushSendPool,
  ) {}

  async send(
    target: PushTarget,
    payload: string,
    options: { urgency: 'normal' | 'high'; topic: string },
  ): Promise<PushOutcome> {
    const { vapid, ttlSeconds } = this.config.webPush;
    if (!vapid) return { kind: 'dropped', reason: 'web push is off' };
    // Checked again at send time: the allow-list may have changed since the subscription.
    const problem = endpointProblem(target.endpoint, this.config.webPush);
    if (problem) return { kind: 'dropped', reason: problem };
    return outcomeOf(
      await this.pool.send({
        endpoint: target.endpoint,
        keys: target.keys,
        payload,
        vapid,
        ttlSeconds,
        ...options,
      }),
    );
  }
}

export function outcomeOf(result: SendResult): PushOutcome {
  if ('error' in result) {
    if (result.stage === 'encrypt') {
      return { kind: 'dropped', reason: `cannot encrypt: ${result.error}` };
    }
    // EPUSHINTERNAL: the name resolved to an internal address (endpoint-policy's lookup).
    if (result.code === 'EPUSHINTERNAL') return { kind: 'dropped', reason: result.error };
    return { kind: 'retry', reason: result.error };
  }
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status === 404 || status === 410) return { kind: 'gone' };
  if (status === 429 || status >= 500) {
    return {
      kind: 'retry',
      afterMs: retryAfterMs({ 'retry-after': result.retryAfter }),
      reason: `HTTP ${status}`,
    };
  }
  return { kind: 'dropped', reason: `HTTP ${status}` };
}

/** `Retry-After` as seconds or an HTTP date, capped at an hour; undefined when absent or bad. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined> | undefined,
  now = Date.now(),
): number | undefined {
  const raw = headers?.['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

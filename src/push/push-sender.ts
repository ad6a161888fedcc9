/**
 * One push to one subscription with `web-push` (aes128gcm, VAPID), and what its answer means
 * for the subscription. Requests go through an agent whose DNS lookup refuses internal
 * addresses (see endpoint-policy.ts), with a timeout; `web-push` never follows redirects.
 */
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush, { WebPushError } from 'web-push';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { endpointProblem, guardedLookup } from './endpoint-policy';

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
export class PushSender implements OnModuleDestroy {
  private readonly agent: Agent;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { allowPrivateHosts, extraCa } = config.webPush;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 64,
      ...(allowPrivateHosts ? {} : { lookup: guardedLookup() }),
      ...(extraCa ? { ca: [...rootCertificates, extraCa] } : {}),
    });
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }

  async send(
    target: PushTarget,
    payload: string,
    options: { urgency: 'normal' | 'high'; topic: string },
  ): Promise<PushOutcome> {
    const vapid = this.config.webPush.vapid;
    if (!vapid) return { kind: 'dropped', reason: 'web push is off' };
    // Checked again at send time: the allow-list may have changed since the subscription.
    const problem = endpointProblem(target.endpoint, this.config.webPush);
    if (problem) return { kind: 'dropped', reason: problem };
    try {
      await webpush.sendNotification(target, payload, {
        vapidDetails: vapid,
        TTL: this.config.webPush.ttlSeconds,
        urgency: options.urgency,
        topic: options.topic,
        contentEncoding: 'aes128gcm',
        timeout: this.config.webPush.timeoutMs,
        agent: this.agent,
      });
      return { kind: 'sent' };
    } catch (error) {
      return outcomeOf(error);
    }
  }
}

function outcomeOf(error: unknown): PushOutcome {
  if (!(error instanceof WebPushError)) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPUSHINTERNAL') return { kind: 'dropped', reason: (error as Error).message };
    return { kind: 'retry', reason: (error as Error).message ?? String(error) };
  }
  const status = error.statusCode;
  if (status === 404 || status === 410) return { kind: 'gone' };
  if (status === 429 || status >= 500) {
    return { kind: 'retry', afterMs: retryAfterMs(error.headers), reason: `HTTP ${status}` };
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

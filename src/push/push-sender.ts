/**
 * One push to one subscription, and what its answer means for the subscription. The payload is
 * encrypted and the VAPID header signed by `web-push` in a worker thread (PushEncryption); the
 * request goes from here through an agent whose DNS lookup refuses internal addresses (see
 * endpoint-policy.ts), with a timeout, never following redirects, reading at most
 * MAX_ANSWER_BYTES of the push service's answer.
 */
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { endpointProblem, guardedLookup } from './endpoint-policy';
import { PushEncryption } from './push-encryption';
import type { EncryptedPush } from './push-encryption.worker';

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
/** Push services answer with a few bytes; more is read no further (the status is what counts). */
const MAX_ANSWER_BYTES = 16 * 1024;

@Injectable()
export class PushSender implements OnModuleDestroy {
  private readonly agent: Agent;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly encryption: PushEncryption,
  ) {
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
    const { vapid, ttlSeconds } = this.config.webPush;
    if (!vapid) return { kind: 'dropped', reason: 'web push is off' };
    // Checked again at send time: the allow-list may have changed since the subscription.
    const problem = endpointProblem(target.endpoint, this.config.webPush);
    if (problem) return { kind: 'dropped', reason: problem };
    let push: EncryptedPush;
    try {
      push = await this.encryption.encrypt({
        endpoint: target.endpoint,
        keys: target.keys,
        payload,
        vapid,
        ttlSeconds,
        ...options,
      });
    } catch (error) {
      // A key the browser never made (not a P-256 point, a short auth secret): never sendable.
      return { kind: 'dropped', reason: `cannot encrypt: ${(error as Error).message}` };
    }
    return this.post(target.endpoint, push);
  }

  private post(endpoint: string, push: EncryptedPush): Promise<PushOutcome> {
    return new Promise((resolve) => {
      const req = request(endpoint, {
        method: push.method,
        headers: push.headers,
        agent: this.agent,
        timeout: this.config.webPush.timeoutMs,
      });
      req.on('response', (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => undefined); // the status line is all that is needed
        res.on('close', () => resolve(outcomeOf(res.statusCode ?? 0, res.headers)));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(
          error.code === 'EPUSHINTERNAL'
            ? { kind: 'dropped', reason: error.message }
            : { kind: 'retry', reason: error.message },
        ),
      );
      req.end(push.body);
    });
  }
}

function outcomeOf(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status === 404 || status === 410) return { kind: 'gone' };
  if (status === 429 || status >= 500) {
    return { kind: 'retry', afterMs: retryAfterMs(headers), reason: `HTTP ${status}` };
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

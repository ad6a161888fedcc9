/**
 * `--push-offline`: a Web Push service on this machine (the tests' HTTPS push service, which
 * verifies VAPID and decrypts every aes128gcm body, so a push counted here is one a browser
 * would show), and as many offline users as there are sockets, each with one subscription on
 * it, registered through Herald's REST API as that user. Herald is started with push on and
 * trusts the service's self-signed certificate; the scenarios then send half their
 * notifications to offline users and count what reaches the push service, by `data.i`.
 */
import jwt from 'jsonwebtoken';
import webPush from 'web-push';
import { TestPushService } from '../test/support/push-service';
import type { BenchRun } from './bench-run';
import { nowMs, percentiles, round1, sleep, type Percentiles } from './stats';

export const OFFLINE_PREFIX = 'bench-offline-';
const SUBJECT = 'mailto:bench@herald.invalid';
const REGISTER_IN_FLIGHT = 32;
const DRAIN_IDLE_MS = 5000;

export interface PushDelivery {
  /** `data.i` of the notification, and when the push service had it (epoch ms). */
  index: number;
  at: number;
  /** The subscription it was sent to (a fanout pushes one index to many). */
  path: string;
}

export interface PushFigures {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Pushes the service could not verify or decrypt (must be 0). */
  problems: number;
  latencyMs: Percentiles;
}

export class PushSink {
  private taken = 0;
  private problems = 0;
  private readonly registered = new WeakSet<BenchRun>();

  private constructor(
    private readonly service: TestPushService,
    private readonly vapid: { publicKey: string; privateKey: string },
  ) {}

  static async start(): Promise<PushSink> {
    const vapid = webPush.generateVAPIDKeys();
    return new PushSink(await TestPushService.start(vapid.publicKey, SUBJECT), vapid);
  }

  /** Herald's environment for pushing to this service. */
  env(): Record<string, string> {
    return {
      WEB_PUSH_VAPID_PUBLIC_KEY: this.vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: this.vapid.privateKey,
      WEB_PUSH_SUBJECT: SUBJECT,
      WEB_PUSH_ALLOWED_ORIGINS: this.service.origin,
      WEB_PUSH_ALLOW_PRIVATE_HOSTS: 'true',
      WEB_PUSH_EXTRA_CA: this.service.certPem,
    };
  }

  /** Subscribes `bench-offline-0 … users-1` on `run` once (they never open a socket). */
  async register(run: BenchRun, users: number): Promise<void> {
    if (this.registered.has(run)) return;
    this.registered.add(run);
    let next = 0;
    const worker = async () => {
      while (next < users) {
        const userId = `${OFFLINE_PREFIX}${next++}`;
        const token = jwt.sign({ sub: userId }, run.herald.jwtSecret, {
          algorithm: 'HS256',
          expiresIn: 3600,
        });
        const answer = await fetch(`${run.herald.urls[0]}/v1/me/push-subscriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(this.service.subscription()),
        });
        if (answer.status !== 201 && answer.status !== 200) {
          throw new Error(
            `push subscription for ${userId}: ${answer.status} ${await answer.text()}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: REGISTER_IN_FLIGHT }, worker));
  }

  /** Pushes received since the last call. */
  take(): PushDelivery[] {
    const fresh = this.service.received.slice(this.taken);
    this.taken = this.service.received.length;
    const out: PushDelivery[] = [];
    for (const push of fresh) {
      const index = (push.payload?.data as { i?: unknown } | undefined)?.i;
      if (push.problem || typeof index !== 'number') {
        this.problems += 1;
        continue;
      }
      out.push({ index, at: push.at, path: push.path });
    }
    return out;
  }

  /**
   * Waits until `expectedCount` pushes of the indices `expected` accepts have arrived, each
   * (index, subscription) once (or nothing new came for a while), and measures scheduled send
   * (`sentAt(index)`) → push received.
   */
  async drain(
    expected: (index: number) => boolean,
    expectedCount: number,
    sentAt: (index: number) => number,
  ): Promise<PushFigures> {
    const problemsBefore = this.problems;
    const seen = new Set<string>();
    const latencies: number[] = [];
    let duplicates = 0;
    let lastProgress = nowMs();
    while (seen.size < expectedCount && nowMs() - lastProgress < DRAIN_IDLE_MS) {
      for (const push of this.take()) {
        if (!expected(push.index)) continue; // a warm-up or earlier round's push
        const key = `${push.index} ${push.path}`;
        if (seen.has(key)) {
          duplicates += 1;
          continue;
        }
        seen.add(key);
        latencies.push(push.at - sentAt(push.index));
        lastProgress = nowMs();
      }
      if (seen.size < expectedCount) await sleep(100);
    }
    return {
      expected: expectedCount,
      delivered: seen.size,
      lost: expectedCount - seen.size,
      duplicates,
      problems: this.problems - problemsBefore,
      latencyMs: percentiles(latencies.map(round1)),
    };
  }

  close(): Promise<void> {
    return this.service.close();
  }
}

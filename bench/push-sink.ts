/**
 * `--push-offline`: a Web Push service on this machine (the tests' HTTPS push service, which
 * verifies VAPID on every push and decrypts a sample of the aes128gcm bodies, checking each
 * one's payload against its `Topic`), and as many offline users as there are sockets, each
 * with one subscription on it, registered through Herald's REST API as that user. Herald is
 * started with push on and trusts the service's self-signed certificate; the scenarios then
 * send half their notifications to offline users and count what reaches the push service, by
 * `data.i`, which the sink reads from the notification its `Topic` names (one query per
 * drain step, after the sockets' part of the run).
 * The service runs in a process of its own at nice 19 (push-service-process.ts); its CPU is
 * reported apart (`pushServicePct`), not as the load generator's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import webPush from 'web-push';
import type { BrowserSubscription } from '../test/support/push-service';
import type { BenchRun } from './bench-run';
import { processCpuSeconds } from './herald-process';
import { inBackground } from './background';
import type { ReceivedRecord, ServiceMessage, ServiceRequest } from './push-service-process';
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
  private received: ReceivedRecord[] = [];
  private problems = 0;
  /** Topic → `data.i` of that notification (null: no such notification, or no `data.i`). */
  private readonly indexByTopic = new Map<string, number | null>();
  private nextRequest = 0;
  private readonly waiting = new Map<number, (subscription: BrowserSubscription) => void>();
  private readonly registered = new WeakSet<BenchRun>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly service: { origin: string; certPem: string },
    private readonly vapid: { publicKey: string; privateKey: string },
  ) {
    child.on('message', (message: ServiceMessage) => {
      if (message.type === 'pushes') this.received.push(...message.records);
      if (message.type === 'subscription') {
        this.waiting.get(message.id)?.(message.subscription as BrowserSubscription);
        this.waiting.delete(message.id);
      }
    });
  }

  static async start(): Promise<PushSink> {
    const vapid = webPush.generateVAPIDKeys();
    const [command, ...args] = inBackground([
      process.execPath,
      '--import',
      'tsx',
      join(__dirname, 'push-service-process.ts'),
      vapid.publicKey,
      SUBJECT,
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const service = await new Promise<{ origin: string; certPem: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`push service exited (${code})`)));
      child.on('message', (message: ServiceMessage) => {
        if (message.type === 'ready') resolve(message);
      });
    });
    child.removeAllListeners('exit');
    return new PushSink(child, service, vapid);
  }

  /** CPU seconds the push service has used (user + system). */
  cpuSeconds(): number {
    return this.child.pid ? processCpuSeconds(this.child.pid) : 0;
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
          body: JSON.stringify(await this.subscription()),
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

  /**
   * Pushes received since the last call, each with `data.i` of its notification: read from
   * Postgres by Topic (one query for the topics not seen before); a decrypted push's own
   * `data.i` must be the same, or the push counts as a problem.
   */
  private async take(run: BenchRun): Promise<PushDelivery[]> {
    const fresh = this.received;
    this.received = [];
    const unknown = new Set<string>();
    for (const push of fresh) {
      if (!push.topic || this.indexByTopic.has(push.topic)) continue;
      if (TOPIC_OF_ID.test(push.topic)) unknown.add(push.topic);
      else this.indexByTopic.set(push.topic, null);
    }
    if (unknown.size > 0) {
      const rows = await run.herald.query<{ id: string; i: number | null }>(
        `SELECT id::text AS id, (data->>'i')::int AS i FROM notifications WHERE id = ANY($1::uuid[])`,
        [[...unknown].map(uuidOfTopic)],
      );
      for (const topic of unknown) this.indexByTopic.set(topic, null);
      for (const row of rows) this.indexByTopic.set(row.id.replace(/-/g, ''), row.i);
    }
    const out: PushDelivery[] = [];
    for (const push of fresh) {
      const index = push.topic ? this.indexByTopic.get(push.topic) : null;
      if (push.problem || index === null || index === undefined) {
        this.problems += 1;
        continue;
      }
      if (push.index !== undefined && push.index !== index) {
        this.problems += 1; // the payload is not the notification its Topic names
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
    run: BenchRun,
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
      for (const push of await this.take(run)) {
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

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }

  /** A new browser subscription on the service. */
  private subscription(): Promise<BrowserSubscription> {
    const id = ++this.nextRequest;
    const request: ServiceRequest = { type: 'subscribe', id };
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send(request);
    });
  }
}

/** What Herald sends as `Topic`: a notification id without its dashes. */
const TOPIC_OF_ID = /^[0-9a-f]{32}$/;

/** `Topic` as the uuid it came from. */
function uuidOfTopic(topic: string): string {
  return `${topic.slice(0, 8)}-${topic.slice(8, 12)}-${topic.slice(12, 16)}-${topic.slice(16, 20)}-${topic.slice(20)}`;
}

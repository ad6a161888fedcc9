/**
 * Runs in a worker thread (see PushSendPool): one whole Web Push request. The payload is
 * encrypted for the subscription (RFC 8291: a fresh ECDH key pair and salt per message), the
 * VAPID `Authorization` signed (RFC 8292) and the request sent over this thread's keep-alive
 * agent, whose DNS lookup refuses internal addresses (endpoint-policy.ts) unless the lab
 * setting allows them; redirects are never followed and at most MAX_ANSWER_BYTES of an answer
 * is read. About 0.5 ms of CPU a push: on the main thread, pushes would hold back socket frames.
 * The main thread turns the answer into an outcome (push-sender.ts).
 *
 * Loaded by Node itself, not through the app's build: under the test runner it runs as
 * TypeScript by type stripping, so it keeps to erasable syntax, imports only packages and
 * Node's modules statically, and loads endpoint-policy from the path its setup names.
 */
import { Agent, request } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import webpush from 'web-push';

/** What every thread of the pool is started with (Piscina's `workerData`). */
export interface PushSendSetup {
  allowPrivateHosts: boolean;
  extraCa?: string;
  timeoutMs: number;
  /** endpoint-policy's own file (.js in the build, .ts under the test runner). */
  policyModule: string;
}

export interface SendTask {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  payload: string;
  vapid: { publicKey: string; privateKey: string; subject: string };
  ttlSeconds: number;
  urgency: 'normal' | 'high';
  topic: string;
}

/** The push service's answer, or why there was none (`code` as Node reports it). */
export type SendResult =
  | { status: number; retryAfter?: string }
  | { error: string; code?: string; stage: 'encrypt' | 'request' };

/** Push services answer with a few bytes; more is read no further (the status is what counts). */
const MAX_ANSWER_BYTES = 16 * 1024;
/** A VAPID JWT may live up to 24 h; one is signed per push-service origin and reused for 12 h. */
const VAPID_LIFETIME_S = 12 * 3600;

const setup = workerData as PushSendSetup;
const vapidByAudience = new Map<string, { authorization: string; renewAt: number }>();
let agent: Promise<Agent> | undefined;

async function makeAgent(): Promise<Agent> {
  let lookup = {};
  if (!setup.allowPrivateHosts) {
    const policy = (await import(
      pathToFileURL(setup.policyModule).href
    )) as typeof import('./endpoint-policy');
    lookup = { lookup: policy.guardedLookup() };
  }
  return new Agent({
    keepAlive: true,
    maxSockets: 64,
    ...lookup,
    // An extra CA goes in as one secure context built here, not as `ca`: the agent keys its
    // socket pools by a name that holds every `ca` certificate (~180 KB with the roots), built
    // and hashed several times per request, and each new connection would parse them again.
    ...(setup.extraCa
      ? { secureContext: createSecureContext({ ca: [...rootCertificates, setup.extraCa] }) }
      : {}),
  });
}

function vapidAuthorization(endpoint: string, vapid: SendTask['vapid']): string {
  const audience = new URL(endpoint).origin;
  const now = Date.now();
  const cached = vapidByAudience.get(audience);
  if (cached && cached.renewAt > now) return cached.authorization;
  const headers = webpush.getVapidHeaders(
    audience,
    vapid.subject,
    vapid.publicKey,
    vapid.privateKey,
    'aes128gcm',
    Math.floor(now / 1000) + VAPID_LIFETIME_S,
  );
  const authorization = String(headers.Authorization);
  // Renewed at half its life, so a push never leaves with a JWT about to expire.
  vapidByAudience.set(audience, { authorization, renewAt: now + (VAPID_LIFETIME_S / 2) * 1000 });
  return authorization;
}

export default async function send(task: SendTask): Promise<SendResult> {
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails(
      { endpoint: task.endpoint, keys: task.keys },
      task.payload,
      {
        headers: { Authorization: vapidAuthorization(task.endpoint, task.vapid) },
        TTL: task.ttlSeconds,
        urgency: task.urgency,
        topic: task.topic,
        contentEncoding: 'aes128gcm',
      },
    );
  } catch (error) {
    // A key the browser never made (not a P-256 point, a short auth secret): never sendable.
    return { error: (error as Error).message, stage: 'encrypt' };
  }
  agent ??= makeAgent();
  const via = await agent;
  return new Promise((resolve) => {
    const req = request(task.endpoint, {
      method: details.method,
      headers: details.headers,
      agent: via,
      timeout: setup.timeoutMs,
    });
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      res.on('error', () => undefined); // the status line is all that is needed
      res.on('close', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, ...(retryAfter ? { retryAfter } : {}) });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.message, code: error.code, stage: 'request' }),
    );
    req.end(details.body);
  });
}

/**
 * Runs in a worker thread (see PushEncryption): the CPU-heavy half of a Web Push, encrypting the
 * payload for one subscription (RFC 8291: a fresh ECDH key pair and salt per message) and
 * signing the VAPID `Authorization` (RFC 8292). About 0.3 ms of CPU a push: on the main thread,
 * a fanout's pushes would hold back its socket frames.
 *
 * Loaded by Node itself, not through the app's build: under the test runner it runs as
 * TypeScript by type stripping, so it keeps to erasable syntax and imports only packages.
 */
import webpush from 'web-push';

export interface EncryptTask {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  payload: string;
  vapid: { publicKey: string; privateKey: string; subject: string };
  ttlSeconds: number;
  urgency: 'normal' | 'high';
  topic: string;
}

export interface EncryptedPush {
  method: string;
  headers: Record<string, string | number>;
  body: Uint8Array;
}

/** A VAPID JWT may live up to 24 h; one is signed per push-service origin and reused for 12 h. */
const VAPID_LIFETIME_S = 12 * 3600;
const vapidByAudience = new Map<string, { authorization: string; renewAt: number }>();

function vapidAuthorization(endpoint: string, vapid: EncryptTask['vapid']): string {
  const audience = new URL(endpoint).origin;
  const now = Date.now();
  const cached = vapidByAudience.get(audience);
  if (cached && cached.renewAt > now) return cached.authorization;
  const expiresAt = Math.floor(now / 1000) + VAPID_LIFETIME_S;
  const headers = webpush.getVapidHeaders(
    audience,
    vapid.subject,
    vapid.publicKey,
    vapid.privateKey,
    'aes128gcm',
    expiresAt,
  );
  const authorization = String(headers.Authorization);
  // Renewed at half its life, so a push never leaves with a JWT about to expire.
  vapidByAudience.set(audience, {
    authorization,
    renewAt: now + (VAPID_LIFETIME_S / 2) * 1000,
  });
  return authorization;
}

export default function encrypt(task: EncryptTask): EncryptedPush {
  const details = webpush.generateRequestDetails(
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
  return {
    method: details.method,
    headers: details.headers,
    body: details.body,
  };
}

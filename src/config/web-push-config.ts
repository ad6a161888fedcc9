/**
 * Web Push and SSE settings, checked at boot (read from the schema in app-config.ts). Push is on
 * only when all three VAPID variables are set; half a key pair stops the boot instead of
 * silently sending nothing.
 */
import { z } from 'zod';

/** The push services of Chrome/Edge/Opera (FCM), Firefox, Edge on Windows (WNS) and Safari. */
export const DEFAULT_PUSH_ORIGINS = [
  'https://fcm.googleapis.com',
  'https://updates.push.services.mozilla.com',
  'https://*.notify.windows.com',
  'https://web.push.apple.com',
];

const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);
const text = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

export const webPushEnvSchema = {
  WEB_PUSH_VAPID_PUBLIC_KEY: text,
  WEB_PUSH_VAPID_PRIVATE_KEY: text,
  /** `mailto:` or `https:` contact the push services may use (RFC 8292 `sub`). */
  WEB_PUSH_SUBJECT: text,
  /** Comma-separated `https://host[:port]` origins; `https://*.example.com` matches subdomains. */
  WEB_PUSH_ALLOWED_ORIGINS: text,
  /** How long a push service keeps an undelivered push (the `TTL` header). */
  WEB_PUSH_TTL_SECONDS: int(86_400, 0, 2_419_200),
  WEB_PUSH_TIMEOUT_MS: int(10_000, 100, 120_000),
  WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER: int(10, 1, 100),
  /**
   * Lab and test setups only: lets endpoints on loopback/private addresses through (a local
   * push service). Never set it where users can register subscriptions you do not control.
   */
  WEB_PUSH_ALLOW_PRIVATE_HOSTS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** Extra CA certificate (PEM, `\n` escapes allowed) trusted for push requests only. */
  WEB_PUSH_EXTRA_CA: text,
  /** How often an idle `/v1/stream` gets a comment line (the API promises at most 15 s). */
  SSE_HEARTBEAT_MS: int(15_000, 100, 15_000),
};

type WebPushEnv = { [K in keyof typeof webPushEnvSchema]: z.infer<(typeof webPushEnvSchema)[K]> };

export interface WebPushConfig {
  /** null: Web Push is off (the endpoints answer 404, nothing is sent). */
  vapid: { publicKey: string; privateKey: string; subject: string } | null;
  /** Lower-case origins; an entry `https://*.x.y` matches any subdomain of x.y. */
  allowedOrigins: string[];
  ttlSeconds: number;
  timeoutMs: number;
  maxSubscriptionsPerUser: number;
  allowPrivateHosts: boolean;
  extraCa?: string;
}

export function webPushConfig(e: WebPushEnv, problems: string[]): WebPushConfig {
  const { WEB_PUSH_VAPID_PUBLIC_KEY: pub, WEB_PUSH_VAPID_PRIVATE_KEY: priv } = e;
  const subject = e.WEB_PUSH_SUBJECT;
  let vapid: WebPushConfig['vapid'] = null;
  const set = [pub, priv, subject].filter(Boolean).length;
  if (set > 0 && set < 3) {
    problems.push(
      'WEB_PUSH_VAPID_PUBLIC_KEY, WEB_PUSH_VAPID_PRIVATE_KEY, WEB_PUSH_SUBJECT: set all three or none',
    );
  } else if (pub && priv && subject) {
    if (base64urlLength(pub) !== 65) {
      problems.push('WEB_PUSH_VAPID_PUBLIC_KEY: a base64url P-256 public key (65 bytes)');
    } else if (base64urlLength(priv) !== 32) {
      problems.push('WEB_PUSH_VAPID_PRIVATE_KEY: a base64url P-256 private key (32 bytes)');
    } else if (!/^(mailto:.+|https:\/\/.+)$/.test(subject)) {
      problems.push('WEB_PUSH_SUBJECT: a mailto: or https: URL');
    } else {
      vapid = { publicKey: pub, privateKey: priv, subject };
    }
  }
  const origins = e.WEB_PUSH_ALLOWED_ORIGINS
    ? e.WEB_PUSH_ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim().toLowerCase())
        .filter(Boolean)
    : DEFAULT_PUSH_ORIGINS;
  for (const origin of origins) {
    if (
      !/^https:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^https:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/.test(
        origin,
      )
    ) {
      problems.push(`WEB_PUSH_ALLOWED_ORIGINS: '${origin}' is not an https:// origin`);
    }
  }
  return {
    vapid,
    allowedOrigins: origins,
    ttlSeconds: e.WEB_PUSH_TTL_SECONDS,
    timeoutMs: e.WEB_PUSH_TIMEOUT_MS,
    maxSubscriptionsPerUser: e.WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER,
    allowPrivateHosts: e.WEB_PUSH_ALLOW_PRIVATE_HOSTS,
    extraCa: e.WEB_PUSH_EXTRA_CA?.replace(/\\n/g, '\n'),
  };
}

function base64urlLength(value: string): number {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

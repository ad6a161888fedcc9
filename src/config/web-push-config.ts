/**
 * Web Push settings. Push is on only when all three VAPID variables are set; half a key pair,
 * or an allowed origin that is not https, stops the boot instead of silently sending nothing.
 */
import { bool, commaList, fromEnv, int, trimmedText } from './env-schema';
import { pem } from './access-config';

/** The push services of Chrome/Edge/Opera (FCM), Firefox, Edge on Windows (WNS) and Safari. */
export const DEFAULT_PUSH_ORIGINS = [
  'https://fcm.googleapis.com',
  'https://updates.push.services.mozilla.com',
  'https://*.notify.windows.com',
  'https://web.push.apple.com',
];

export const webPushVariables = {
  webPush: {
    vapidPublicKey: fromEnv('WEB_PUSH_VAPID_PUBLIC_KEY', trimmedText),
    vapidPrivateKey: fromEnv('WEB_PUSH_VAPID_PRIVATE_KEY', trimmedText),
    /** `mailto:` or `https:` contact the push services may use (RFC 8292 `sub`). */
    subject: fromEnv('WEB_PUSH_SUBJECT', trimmedText),
    /**
     * `https://host[:port]` origins Herald may POST pushes to (lower-cased); an entry
     * `https://*.x.y` matches any subdomain of x.y. Unset: DEFAULT_PUSH_ORIGINS.
     */
    allowedOrigins: fromEnv('WEB_PUSH_ALLOWED_ORIGINS', commaList),
    /** How long a push service keeps an undelivered push (the `TTL` header). */
    ttlSeconds: fromEnv('WEB_PUSH_TTL_SECONDS', int(86_400, 0, 2_419_200)),
    /** Per push request; a timeout is retried. */
    timeoutMs: fromEnv('WEB_PUSH_TIMEOUT_MS', int(10_000, 100, 120_000)),
    /** Past it the user's oldest subscriptions are deleted. */
    maxSubscriptionsPerUser: fromEnv('WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER', int(10, 1, 100)),
    /**
     * Lab and test setups only: lets endpoints on loopback/private addresses through (a local
     * push service). Never set it where users can register subscriptions you do not control.
     */
    allowPrivateHosts: fromEnv('WEB_PUSH_ALLOW_PRIVATE_HOSTS', bool(false)),
    /** Extra CA certificate (PEM, `\n` escapes allowed) trusted for push requests only. */
    extraCa: fromEnv('WEB_PUSH_EXTRA_CA', trimmedText),
  },
};

interface WebPushVariables {
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  subject?: string;
  allowedOrigins?: string[];
  extraCa?: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** The variables as the app uses them: `vapid` null means Web Push is off (404, nothing sent). */
export function webPushConfig<T extends WebPushVariables>(variables: T, problems: string[]) {
  const { vapidPublicKey, vapidPrivateKey, subject, allowedOrigins, extraCa, ...rest } = variables;
  const origins = allowedOrigins?.map((origin) => origin.toLowerCase()) ?? DEFAULT_PUSH_ORIGINS;
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
    ...rest,
    vapid: vapidKeys(vapidPublicKey, vapidPrivateKey, subject, problems),
    allowedOrigins: origins,
    extraCa: extraCa === undefined ? undefined : pem(extraCa),
  };
}

function vapidKeys(
  publicKey: string | undefined,
  privateKey: string | undefined,
  subject: string | undefined,
  problems: string[],
): VapidKeys | null {
  const set = [publicKey, privateKey, subject].filter(Boolean).length;
  if (set > 0 && set < 3) {
    problems.push(
      'WEB_PUSH_VAPID_PUBLIC_KEY, WEB_PUSH_VAPID_PRIVATE_KEY, WEB_PUSH_SUBJECT: set all three or none',
    );
  } else if (publicKey && privateKey && subject) {
    if (base64urlLength(publicKey) !== 65) {
      problems.push('WEB_PUSH_VAPID_PUBLIC_KEY: a base64url P-256 public key (65 bytes)');
    } else if (base64urlLength(privateKey) !== 32) {
      problems.push('WEB_PUSH_VAPID_PRIVATE_KEY: a base64url P-256 private key (32 bytes)');
    } else if (!/^(mailto:.+|https:\/\/.+)$/.test(subject)) {
      problems.push('WEB_PUSH_SUBJECT: a mailto: or https: URL');
    } else {
      return { publicKey, privateKey, subject };
    }
  }
  return null;
}

function base64urlLength(value: string): number {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

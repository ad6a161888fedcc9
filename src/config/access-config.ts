/**
 * Who may call Herald: the JWT key, the browser origins, the demo and the metrics token. These
 * are the settings whose development defaults would be holes in production, so each is decided
 * here from NODE_ENV: only the exact value `development` turns them on (fail closed).
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { commaList, fromEnv, optionalBool, optionalText } from './env-schema';

/** Used only with NODE_ENV=development; any other NODE_ENV refuses it (it is public). */
export const DEVELOPMENT_JWT_SECRET = 'herald-development-secret-do-not-use-in-production';

export const accessVariables = {
  jwt: {
    /** HS256 shared secret, at least 32 bytes. Exactly one of secret, publicKey, jwksUrl. */
    secret: fromEnv('JWT_SECRET', optionalText),
    /** PEM (`\n` escapes allowed); RSA pins RS256, EC pins ES256. */
    publicKey: fromEnv('JWT_PUBLIC_KEY', optionalText),
    jwksUrl: fromEnv('JWT_JWKS_URL', z.url().optional()),
    issuer: fromEnv('JWT_ISSUER', optionalText),
    /** Required with publicKey or jwksUrl outside development. */
    audience: fromEnv('JWT_AUDIENCE', optionalText),
  },
  /** Browser origins allowed for /ws, SSE and CORS. Unset: any in development, none otherwise. */
  allowedOrigins: fromEnv('ALLOWED_ORIGINS', commaList),
  /** The demo page at `/` may mint demo tokens (`demo:<name>`). Unset: on only in development. */
  demo: fromEnv('DEMO', optionalBool),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open. */
  metricsToken: fromEnv(
    'METRICS_TOKEN',
    optionalText.pipe(
      z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32)').optional(),
    ),
  ),
};

export type JwtKeyConfig =
  | { kind: 'secret'; secret: string; algorithms: ['HS256'] }
  | { kind: 'publicKey'; publicKey: string; algorithms: ['RS256'] | ['ES256'] }
  | { kind: 'jwks'; jwksUrl: string; algorithms: ['RS256', 'ES256'] };

interface JwtVariables {
  secret?: string;
  publicKey?: string;
  jwksUrl?: string;
  audience?: string;
}

/** The verification key, or undefined with the reason in `problems`. */
export function jwtKey(
  jwt: JwtVariables,
  development: boolean,
  problems: string[],
): JwtKeyConfig | undefined {
  const key = chooseKey(jwt, development, problems);
  if (key && key.kind !== 'secret' && !development && !jwt.audience) {
    // A shared identity provider signs tokens for many apps with the same key: without an
    // audience check Herald would accept all of them (and `admin` is a common scope name).
    problems.push(
      'JWT_AUDIENCE: required with JWT_PUBLIC_KEY or JWT_JWKS_URL unless NODE_ENV=development ' +
        "(the `aud` your identity provider puts in Herald's tokens)",
    );
  }
  return key;
}

function chooseKey(
  jwt: JwtVariables,
  development: boolean,
  problems: string[],
): JwtKeyConfig | undefined {
  const chosen = [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter(Boolean).length;
  if (chosen > 1) {
    problems.push('JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL: set exactly one of them');
    return undefined;
  }
  if (jwt.publicKey) return publicKey(pem(jwt.publicKey), problems);
  if (jwt.jwksUrl) return { kind: 'jwks', jwksUrl: jwt.jwksUrl, algorithms: ['RS256', 'ES256'] };
  return sharedSecret(jwt.secret ?? (development ? DEVELOPMENT_JWT_SECRET : undefined), {
    development,
    problems,
  });
}

function publicKey(key: string, problems: string[]): JwtKeyConfig | undefined {
  try {
    const type = createPublicKey(key).asymmetricKeyType;
    if (type === 'rsa') return { kind: 'publicKey', publicKey: key, algorithms: ['RS256'] };
    if (type === 'ec') return { kind: 'publicKey', publicKey: key, algorithms: ['ES256'] };
    problems.push(`JWT_PUBLIC_KEY: an RSA or EC public key is required, got ${type}`);
  } catch {
    problems.push('JWT_PUBLIC_KEY: not a valid PEM public key');
  }
  return undefined;
}

function sharedSecret(
  secret: string | undefined,
  { development, problems }: { development: boolean; problems: string[] },
): JwtKeyConfig | undefined {
  if (!secret) {
    problems.push(
      'JWT_SECRET: required unless NODE_ENV=development (or set JWT_PUBLIC_KEY / JWT_JWKS_URL)',
    );
  } else if (Buffer.byteLength(secret) < 32) {
    problems.push('JWT_SECRET: must be at least 32 bytes');
  } else if (!development && secret === DEVELOPMENT_JWT_SECRET) {
    problems.push(
      'JWT_SECRET: the development secret is public; it is accepted only with NODE_ENV=development',
    );
  } else {
    return { kind: 'secret', secret, algorithms: ['HS256'] };
  }
  return undefined;
}

/** ALLOWED_ORIGINS as the app uses it: null = any origin (development only). */
export function allowedOrigins(
  origins: string[] | undefined,
  development: boolean,
): string[] | null {
  // Clients that send no Origin header (other services) are unaffected by an empty list.
  return origins?.length ? origins : development ? null : [];
}

/** DEMO as the app uses it; `true` outside development is a problem. */
export function demoEnabled(
  demo: boolean | undefined,
  development: boolean,
  problems: string[],
): boolean {
  const enabled = demo ?? development;
  if (enabled && !development) {
    problems.push(
      'DEMO: the demo mints tokens for anyone who asks; it is refused unless NODE_ENV=development',
    );
  }
  return enabled;
}

/** A PEM read from one environment line, where newlines may be written `\n`. */
export function pem(value: string): string {
  return value.replace(/\\n/g, '\n');
}

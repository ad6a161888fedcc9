/**
 * The one place that reads the environment. `loadConfig` validates every variable with zod and
 * returns a frozen, typed object; a bad value stops the boot with a message naming the variable.
 * Defaults are chosen so that `npm start` (which sets NODE_ENV=development) works on a developer
 * machine with local Postgres/Redis; without NODE_ENV=development nothing insecure is defaulted.
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { webPushConfig, webPushEnvSchema, type WebPushConfig } from './web-push-config';

/** Used only with NODE_ENV=development; any other NODE_ENV refuses it (it is public). */
export const DEVELOPMENT_JWT_SECRET = 'herald-development-secret-do-not-use-in-production';

const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v : undefined));

const envSchema = z.object({
  /** Only the exact value `development` turns the development defaults on; anything else,
   *  unset included, is production (fail closed: a forgotten NODE_ENV never opens the doors). */
  NODE_ENV: optionalText,
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/herald'),
  DATABASE_CREATE: bool(true),
  DATABASE_MIGRATE: bool(true),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATABASE_CONNECT_TIMEOUT_MS: int(2000, 100, 60000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(10000, 100, 600000),

  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-" (1-64)')
    .default('herald'),
  REDIS_COMMAND_TIMEOUT_MS: int(1000, 50, 60000),

  JWT_SECRET: optionalText,
  JWT_PUBLIC_KEY: optionalText,
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: optionalText,
  JWT_AUDIENCE: optionalText,
  ALLOWED_ORIGINS: optionalText,

  QUEUE_CONCURRENCY: int(8, 1, 256),
  JOB_ATTEMPTS: int(10, 1, 100),
  JOB_BACKOFF_MS: int(1000, 10, 600000),
  QUEUE_LOCK_MS: int(10000, 500, 600000),
  /** Most publishes in one batch job (one transaction); 1 turns batching off. */
  PUBLISH_BATCH_MAX: int(256, 1, 5000),
  /** Under load, flushes of the publish batch are at least this far apart (0: every turn). */
  PUBLISH_BATCH_LINGER_MS: int(5, 0, 1000),
  /** Publishes accepted but not yet stored (all instances) past which publishing answers 503. */
  PUBLISH_BACKLOG_MAX: int(5000, 1, 1_000_000),
  /** A publish not durably queued this soon answers 503 (under a second: nobody waits longer). */
  PUBLISH_ACCEPT_TIMEOUT_MS: int(500, 10, 1000),

  WS_MAX_PAYLOAD: int(64 * 1024, 256, 16 * 1024 * 1024),
  WS_MAX_FRAMES_PER_SECOND: int(50, 1, 100000),
  WS_MAX_SOCKETS_PER_USER: int(10, 1, 10000),
  WS_MAX_BUFFERED_BYTES: int(1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
  WS_HEARTBEAT_INTERVAL_MS: int(30000, 100, 600000),
  WS_GAP_TIMEOUT_MS: int(250, 10, 60000),
  WS_RESUME_GRACE_MS: int(500, 0, 60000),
  /** Per user across instances: `resume`, `read`, `read.all` frames (a token bucket in Redis). */
  WS_USER_STORAGE_FRAMES_PER_SECOND: int(5, 1, 10000),
  WS_USER_STORAGE_FRAMES_BURST: int(20, 1, 100000),
  /** An instance's connection entries outlive its last presence heartbeat by at most this. */
  PRESENCE_TTL_MS: int(30000, 1000, 600000),

  RATE_LIMIT_ENABLED: bool(true),
  RATE_LIMIT_REQUESTS: int(600, 1, 1_000_000),
  /** Per service (a token with one of Herald's scopes) and window: 150,000/min = 2,500/s. */
  RATE_LIMIT_SERVICE_REQUESTS: int(150_000, 1, 100_000_000),
  RATE_LIMIT_WINDOW_MS: int(60_000, 1000, 3_600_000),
  /** 0: a caller over the limit waits until its window ends. */
  RATE_LIMIT_BLOCK_MS: int(0, 0, 86_400_000),
  /** Reverse proxies in front of the app whose X-Forwarded-For names the client (0: none). */
  TRUST_PROXY_HOPS: int(0, 0, 10),

  /** Subscribers one topic may have (at most 10,000: a publish's recipient budget). */
  TOPIC_MAX_SUBSCRIBERS: int(10_000, 1, 10_000),
  /** Topics one user may be subscribed to. */
  USER_MAX_TOPICS: int(1000, 1, 10_000),
  /** Tasks one user may be assigned by others in an hour (all instances); over it, 429. */
  TASK_ASSIGNMENTS_PER_HOUR: int(60, 1, 1_000_000),

  SHUTDOWN_TIMEOUT_MS: int(25000, 100, 600000),
  NOTIFICATION_RETENTION_DAYS: int(90, 1, 36500),
  /** How often the retention job runs, and the most rows one of its statements deletes. */
  RETENTION_INTERVAL_MS: int(60_000, 100, 86_400_000),
  RETENTION_BATCH_SIZE: int(1000, 1, 100_000),
  /** Demo page may mint demo tokens; default on in development, refused in production. */
  DEMO: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32)').optional(),
  ),
  ...webPushEnvSchema,
});

export type JwtKeyConfig =
  | { kind: 'secret'; secret: string; algorithms: ['HS256'] }
  | { kind: 'publicKey'; publicKey: string; algorithms: ['RS256'] | ['ES256'] }
  | { kind: 'jwks'; jwksUrl: string; algorithms: ['RS256', 'ES256'] };

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  database: {
    url: string;
    create: boolean;
    migrate: boolean;
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
  };
  redis: { url: string; prefix: string; commandTimeoutMs: number };
  jwt: { key: JwtKeyConfig; issuer?: string; audience?: string };
  /** Browser origins allowed for /ws and CORS; null = any (development only). */
  allowedOrigins: string[] | null;
  /**
   * lockMs: how long a worker's claim on a job lasts without renewal. A job whose worker died (or
   * whose hand-off was cut by a shutdown) is run again by another worker after about this long.
   */
  queue: {
    concurrency: number;
    attempts: number;
    backoffMs: number;
    lockMs: number;
    publishBatchMax: number;
    publishBatchLingerMs: number;
    /** Load shedding: see PublishBacklog. */
    publishBacklogMax: number;
    publishAcceptTimeoutMs: number;
  };
  ws: {
    maxPayload: number;
    maxFramesPerSecond: number;
    maxSocketsPerUser: number;
    maxBufferedBytes: number;
    heartbeatIntervalMs: number;
    gapTimeoutMs: number;
    /** After `ready`, how long live delivery waits for the client's first frame (a `resume`). */
    resumeGraceMs: number;
    /** Token bucket per user for storage-backed frames, shared by every instance. */
    userStorageFramesPerSecond: number;
    userStorageFramesBurst: number;
    /** Presence entries (the cross-instance socket count) expire this long after a heartbeat. */
    presenceTtlMs: number;
  };
  /** REST rate limit per caller (token `sub`, else client IP), shared by all instances in Redis. */
  rateLimit: {
    enabled: boolean;
    /** Per user (a token without Herald scopes) or, without a valid token, per client IP. */
    requests: number;
    /** Per service: a token with any of Herald's scopes (SCOPES). */
    serviceRequests: number;
    windowMs: number;
    blockMs: number;
  };
  /** How many reverse proxies' X-Forwarded-For entries are trusted for the client IP. */
  trustProxyHops: number;
  /** Fan-out caps, enforced exactly in the subscribing transaction (TopicsService). */
  topics: { maxSubscribers: number; maxTopicsPerUser: number };
  /** Per assignee: tasks assigned by others in the last hour (TaskAssignmentLimit). */
  tasks: { assignmentsPerHour: number };
  shutdownTimeoutMs: number;
  /** Notifications older than `days` are deleted, `batchSize` rows per statement. */
  retention: { days: number; intervalMs: number; batchSize: number };
  /** The demo page at `/` may mint demo tokens (`demo:<name>`); only in development. */
  demo: boolean;
  /** The bearer token GET /metrics requires; undefined: /metrics is open. */
  metricsToken?: string;
  webPush: WebPushConfig;
  /** `/v1/stream`: heartbeat comment interval (≤ 15 s). */
  sse: { heartbeatMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const development = e.NODE_ENV === 'development';
  const problems: string[] = [];
  const key = jwtKey(e, development, problems);
  const webPush = webPushConfig(e, problems);
  if (key && key.kind !== 'secret' && !development && !e.JWT_AUDIENCE) {
    // A shared identity provider signs tokens for many apps with the same key: without an
    // audience check Herald would accept all of them (and `admin` is a common scope name).
    problems.push(
      'JWT_AUDIENCE: required with JWT_PUBLIC_KEY or JWT_JWKS_URL unless NODE_ENV=development ' +
        "(the `aud` your identity provider puts in Herald's tokens)",
    );
  }
  const demo = e.DEMO ? ['true', '1', 'yes'].includes(e.DEMO) : development;
  if (demo && !development) {
    problems.push(
      'DEMO: the demo mints tokens for anyone who asks; it is refused unless NODE_ENV=development',
    );
  }
  const origins = e.ALLOWED_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (problems.length || !key) throw new ConfigError(problems);

  return Object.freeze({
    env: development ? 'development' : e.NODE_ENV === 'test' ? 'test' : 'production',
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    database: {
      url: e.DATABASE_URL,
      create: e.DATABASE_CREATE,
      migrate: e.DATABASE_MIGRATE,
      poolSize: e.DATABASE_POOL_SIZE,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    redis: {
      url: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    jwt: { key, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    // Unset: any origin in development; otherwise no browser origin at all (clients that send
    // no Origin header, i.e. other services, are unaffected).
    allowedOrigins: origins?.length ? origins : development ? null : [],
    queue: {
      concurrency: e.QUEUE_CONCURRENCY,
      attempts: e.JOB_ATTEMPTS,
      backoffMs: e.JOB_BACKOFF_MS,
      lockMs: e.QUEUE_LOCK_MS,
      publishBatchMax: e.PUBLISH_BATCH_MAX,
      publishBatchLingerMs: e.PUBLISH_BATCH_LINGER_MS,
      publishBacklogMax: e.PUBLISH_BACKLOG_MAX,
      publishAcceptTimeoutMs: e.PUBLISH_ACCEPT_TIMEOUT_MS,
    },
    ws: {
      maxPayload: e.WS_MAX_PAYLOAD,
      maxFramesPerSecond: e.WS_MAX_FRAMES_PER_SECOND,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      heartbeatIntervalMs: e.WS_HEARTBEAT_INTERVAL_MS,
      gapTimeoutMs: e.WS_GAP_TIMEOUT_MS,
      resumeGraceMs: e.WS_RESUME_GRACE_MS,
      userStorageFramesPerSecond: e.WS_USER_STORAGE_FRAMES_PER_SECOND,
      userStorageFramesBurst: e.WS_USER_STORAGE_FRAMES_BURST,
      presenceTtlMs: e.PRESENCE_TTL_MS,
    },
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      requests: e.RATE_LIMIT_REQUESTS,
      serviceRequests: e.RATE_LIMIT_SERVICE_REQUESTS,
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      blockMs: e.RATE_LIMIT_BLOCK_MS,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    topics: { maxSubscribers: e.TOPIC_MAX_SUBSCRIBERS, maxTopicsPerUser: e.USER_MAX_TOPICS },
    tasks: { assignmentsPerHour: e.TASK_ASSIGNMENTS_PER_HOUR },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    retention: {
      days: e.NOTIFICATION_RETENTION_DAYS,
      intervalMs: e.RETENTION_INTERVAL_MS,
      batchSize: e.RETENTION_BATCH_SIZE,
    },
    demo,
    metricsToken: e.METRICS_TOKEN,
    webPush,
    sse: { heartbeatMs: e.SSE_HEARTBEAT_MS },
  });
}

type ParsedEnv = z.infer<typeof envSchema>;

function jwtKey(e: ParsedEnv, development: boolean, problems: string[]): JwtKeyConfig | undefined {
  const chosen = [e.JWT_SECRET, e.JWT_PUBLIC_KEY, e.JWT_JWKS_URL].filter(Boolean).length;
  if (chosen > 1) {
    problems.push('JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL: set exactly one of them');
    return undefined;
  }
  if (e.JWT_PUBLIC_KEY) {
    try {
      const type = createPublicKey(e.JWT_PUBLIC_KEY.replace(/\\n/g, '\n')).asymmetricKeyType;
      if (type === 'rsa') {
        return { kind: 'publicKey', publicKey: pem(e.JWT_PUBLIC_KEY), algorithms: ['RS256'] };
      }
      if (type === 'ec') {
        return { kind: 'publicKey', publicKey: pem(e.JWT_PUBLIC_KEY), algorithms: ['ES256'] };
      }
      problems.push(`JWT_PUBLIC_KEY: an RSA or EC public key is required, got ${type}`);
    } catch {
      problems.push('JWT_PUBLIC_KEY: not a valid PEM public key');
    }
    return undefined;
  }
  if (e.JWT_JWKS_URL) {
    return { kind: 'jwks', jwksUrl: e.JWT_JWKS_URL, algorithms: ['RS256', 'ES256'] };
  }
  const secret = e.JWT_SECRET ?? (development ? DEVELOPMENT_JWT_SECRET : undefined);
  if (!secret) {
    problems.push(
      'JWT_SECRET: required unless NODE_ENV=development (or set JWT_PUBLIC_KEY / JWT_JWKS_URL)',
    );
    return undefined;
  }
  if (Buffer.byteLength(secret) < 32) {
    problems.push('JWT_SECRET: must be at least 32 bytes');
    return undefined;
  }
  if (!development && secret === DEVELOPMENT_JWT_SECRET) {
    problems.push(
      'JWT_SECRET: the development secret is public; it is accepted only with NODE_ENV=development',
    );
    return undefined;
  }
  return { kind: 'secret', secret, algorithms: ['HS256'] };
}

function pem(value: string): string {
  return value.replace(/\\n/g, '\n');
}

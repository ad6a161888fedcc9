/**
 * The process and its stores: where it listens, what it logs, Postgres and Redis. The defaults
 * are a developer machine's local Postgres and Redis, so `npm start` needs no configuration.
 */
import { z } from 'zod';
import { bool, fromEnv, int } from './env-schema';

export const serverVariables = {
  port: fromEnv('PORT', int(3000, 0, 65535)),
  host: fromEnv('HOST', z.string().min(1).default('0.0.0.0')),
  logLevel: fromEnv(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** SIGTERM: the most time given to closing sockets (1001) and finishing running jobs. */
  shutdownTimeoutMs: fromEnv('SHUTDOWN_TIMEOUT_MS', int(25000, 100, 600000)),
  /** Reverse proxies in front of the app whose X-Forwarded-For names the client (0: none). */
  trustProxyHops: fromEnv('TRUST_PROXY_HOPS', int(0, 0, 10)),
  database: {
    url: fromEnv('DATABASE_URL', z.url().default('postgres://postgres@127.0.0.1:5432/herald')),
    /** Create the database at boot when it is missing. */
    create: fromEnv('DATABASE_CREATE', bool(true)),
    /** Apply migrations at boot, under an advisory lock. */
    migrate: fromEnv('DATABASE_MIGRATE', bool(true)),
    poolSize: fromEnv('DATABASE_POOL_SIZE', int(10, 1, 200)),
    connectTimeoutMs: fromEnv('DATABASE_CONNECT_TIMEOUT_MS', int(2000, 100, 60000)),
    statementTimeoutMs: fromEnv('DATABASE_STATEMENT_TIMEOUT_MS', int(10000, 100, 600000)),
  },
  redis: {
    url: fromEnv('REDIS_URL', z.url().default('redis://127.0.0.1:6379')),
    /** Every key and channel starts with it: the same value on every instance of a deployment. */
    prefix: fromEnv(
      'REDIS_PREFIX',
      z
        .string()
        .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-" (1-64)')
        .default('herald'),
    ),
    commandTimeoutMs: fromEnv('REDIS_COMMAND_TIMEOUT_MS', int(1000, 50, 60000)),
  },
};

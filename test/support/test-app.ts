/**
 * Boots the real AppModule against the shared Postgres and Redis, isolated per suite: its own
 * database (a copy of the migrated template, see template-database.ts) and its own Redis key
 * prefix. Two apps started with the same `isolation` share data, like two instances of one
 * deployment.
 */
import { DiscoveryService } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Bull from 'bull';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createApp, type AppOptions } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { BASE_ENV, TEST_JWT_SECRET } from './env';
import { createFromTemplate } from './template-database';

export interface Isolation {
  database: string;
  prefix: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port/ws */
  wsUrl: string;
  isolation: Isolation;
  /** Every route the HTTP server registered (Nest's controllers and the plugins beside them). */
  routes: { method: string; url: string; hidden: boolean }[];
  close(): Promise<void>;
}

export function newIsolation(name: string): Isolation {
  const id = `${name
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  return { database: `herald_test_${id}`, prefix: `herald-test-${id}` };
}

export function testEnv(isolation: Isolation, env: Record<string, string> = {}) {
  const dbUrl = new URL(BASE_ENV.ADMIN_DATABASE_URL);
  dbUrl.pathname = `/${isolation.database}`;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: BASE_ENV.REDIS_URL,
    REDIS_PREFIX: isolation.prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    JOB_BACKOFF_MS: '100',
    ...env,
  };
}

export async function startTestApp(
  isolation: Isolation,
  env: Record<string, string> = {},
  options: AppOptions = {},
): Promise<TestApp> {
  await createFromTemplate(isolation.database, env);
  const config = loadConfig(testEnv(isolation, env));
  const app = await createApp(config, options);
  const routes: TestApp['routes'] = [];
  // Routes are registered as the app starts listening: the hook sees each one.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const hidden = (route.schema as { hide?: unknown } | undefined)?.hide === true;
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden });
    });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    isolation,
    routes,
    close: async () => {
      // Bull takes ~500 ms to close a queue that is waiting for jobs (its QUIT waits behind the
      // blocking BRPOPLPUSH), and Nest closes the queues one module after another: all at once
      // first, as on SIGTERM (graceful-shutdown.ts), makes that one wait instead of one each.
      const providers = app.get(DiscoveryService).getProviders();
      const queues = providers.map((p) => p.instance as unknown).filter((q) => q instanceof Bull);
      await Promise.all(queues.map((queue) => queue.close()));
      await app.close();
    },
  };
}

/** Drops the suite's database and Redis keys. */
export async function destroyIsolation(isolation: Isolation): Promise<void> {
  const pg = new Client({ connectionString: BASE_ENV.ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${isolation.database}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
  const redis = new Redis(BASE_ENV.REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${isolation.prefix}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A direct SQL connection to the suite's database, for assertions and fast seeding. */
export async function sql(isolation: Isolation): Promise<Client> {
  const url = new URL(BASE_ENV.ADMIN_DATABASE_URL);
  url.pathname = `/${isolation.database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 5000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

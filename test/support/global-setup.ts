/**
 * Fails fast, with a clear message, when the shared Postgres or Redis is not running; then
 * migrates the template every suite's database is copied from (template-database.ts).
 */
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { BASE_ENV } from './env';
import { ensureTemplateDatabase } from './template-database';

export default async function globalSetup(): Promise<void> {
  const pg = new Client({
    connectionString: BASE_ENV.ADMIN_DATABASE_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `e2e tests need Postgres at ${BASE_ENV.ADMIN_DATABASE_URL}: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(BASE_ENV.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`e2e tests need Redis at ${BASE_ENV.REDIS_URL}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    redis.disconnect();
  }
  await ensureTemplateDatabase();
}

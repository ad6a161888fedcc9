/** Where the e2e tests find Postgres and Redis (overridable for other machines). */
export const BASE_ENV = {
  ADMIN_DATABASE_URL:
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export const TEST_JWT_SECRET = 'herald-e2e-secret-0123456789abcdef0123456789';

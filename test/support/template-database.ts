/**
 * One migrated database per set of migrations, copied for every suite.
 *
 * The e2e global setup migrates a template database once, with the app's own boot code
 * (`prepareDatabase`), and each suite's database is then `CREATE DATABASE … TEMPLATE` of it:
 * the app finds the database there and every migration applied, and skips both steps. The
 * template's name carries a hash of the migrations and of the code that applies them, so a
 * changed migration gets a template of its own, never a stale one; the template accepts no
 * connections (a copy needs its source idle) and is never dropped by a test (other checkouts
 * on the same Postgres may be using it).
 *
 * Without a template (a run without the global setup), a suite's database is left to the
 * app, which creates and migrates it as in production.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import { prepareDatabase } from '../../src/database/prepare-database';
import { BASE_ENV, TEST_JWT_SECRET } from './env';

const ROOT = join(__dirname, '..', '..');
/** What decides the schema a migrated database has. */
const SCHEMA_SOURCES = ['migrations', join('src', 'database')];

/** prepareDatabase names each migration it applies: not worth a line per test run. */
class QuietLogger extends Logger {
  override log(): void {}
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function databaseUrl(database: string): string {
  const url = new URL(BASE_ENV.ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function asAdmin<T>(run: (pg: Client) => Promise<T>): Promise<T> {
  const pg = new Client({ connectionString: BASE_ENV.ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    return await run(pg);
  } finally {
    await pg.end();
  }
}

/** herald_test_template_<hash of the schema sources> */
export function templateDatabase(): string {
  const hash = createHash('sha256');
  for (const dir of SCHEMA_SOURCES) {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      if (!name.endsWith('.ts') || name.endsWith('.spec.ts')) continue;
      hash
        .update(`${dir}/${name}\0`)
        .update(readFileSync(join(ROOT, dir, name)))
        .update('\0');
    }
  }
  return `herald_test_template_${hash.digest('hex').slice(0, 16)}`;
}

/** Makes sure the template exists: migrated in a database of its own, then renamed into place. */
export async function ensureTemplateDatabase(): Promise<void> {
  const template = templateDatabase();
  const exists = await asAdmin(
    async (pg) =>
      (await pg.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1,
  );
  if (exists) return;
  // Built under another name, so no suite ever copies a half-migrated template.
  const building = `${template}_${randomBytes(4).toString('hex')}`;
  try {
    await prepareDatabase(
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: databaseUrl(building),
        REDIS_URL: BASE_ENV.REDIS_URL,
        JWT_SECRET: TEST_JWT_SECRET,
      }),
      new QuietLogger(),
    );
    await asAdmin(async (pg) => {
      await pg.query(`ALTER DATABASE ${quote(building)} WITH ALLOW_CONNECTIONS false`);
      try {
        await pg.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(template)}`);
      } catch (error) {
        // 42P04: another run built the same template meanwhile; it is as good as this one.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    });
  } finally {
    await asAdmin((pg) => pg.query(`DROP DATABASE IF EXISTS ${quote(building)} WITH (FORCE)`));
  }
}

/**
 * Creates `database` as a copy of the template, unless it exists already (another instance of
 * the same isolation) or `env` says the test prepares its database itself (its own
 * DATABASE_URL, no creation or no migration by the app).
 */
export async function createFromTemplate(
  database: string,
  env: Record<string, string> = {},
): Promise<void> {
  if (env['DATABASE_URL'] || env['DATABASE_CREATE'] === 'false') return;
  if (env['DATABASE_MIGRATE'] === 'false') return;
  await asAdmin(async (pg) => {
    try {
      await pg.query(`CREATE DATABASE ${quote(database)} TEMPLATE ${quote(templateDatabase())}`);
    } catch (error) {
      // 42P04: it exists already. 3D000: no template: the app creates and migrates it instead.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '3D000') throw error;
    }
  });
}

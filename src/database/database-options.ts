import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import type { AppConfig } from '../config/app-config';
import { entities } from './entities';

export type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** The TypeORM options shared by the app, the migration CLI and the tests. */
export function databaseOptions(config: AppConfig): PostgresOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto', // gen_random_uuid() is built into Postgres 13+; no extension needed
    installExtensions: false,
    migrationsRun: false, // prepareDatabase runs them, under a lock, before the app connects
    poolSize: config.database.poolSize,
    connectTimeoutMS: config.database.connectTimeoutMs,
    extra: {
      // A statement stuck behind a lock or a dying server fails instead of hanging a request.
      statement_timeout: config.database.statementTimeoutMs,
      // Fail fast when no pooled connection frees up, so an outage answers 503 quickly.
      connectionTimeoutMillis: config.database.connectTimeoutMs,
      application_name: 'herald',
    },
  };
}

/**
 * Boot-time database preparation: create the database if missing, then apply pending
 * migrations under a Postgres advisory lock, so several instances starting at once migrate once.
 */
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { databaseOptions } from './database-options';
import { ensureDatabase } from './ensure-database';

const MIGRATION_LOCK = 7_413_022_601; // any constant shared by all Herald instances

export async function prepareDatabase(config: AppConfig, logger = new Logger('Database')) {
  if (
    config.database.create &&
    (await ensureDatabase(config.database.url, config.database.connectTimeoutMs))
  ) {
    logger.log('created the database');
  }
  if (!config.database.migrate) return;
  const dataSource = new DataSource({ ...databaseOptions(config), poolSize: 2 }); // one holds the lock;
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) logger.log(`applied migration ${migration.name}`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

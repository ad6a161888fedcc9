import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { installShutdownHandlers } from './lifecycle/graceful-shutdown';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  const logger = new Logger('Herald');
  installShutdownHandlers(app, config, logger);
  await app.listen(config.port, config.host);
  logger.log(`Herald listening on http://${config.host}:${config.port} (ws path /ws)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

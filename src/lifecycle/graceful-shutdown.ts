/**
 * SIGTERM: stop accepting HTTP and WebSocket connections, close sockets with 1001 so clients
 * reconnect elsewhere and resume, let running jobs finish, then close everything and exit.
 */
import { getQueueToken } from '@nestjs/bull';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Queue } from 'bull';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { NOTIFICATIONS_QUEUE } from '../notifications/notifications.jobs';
import { NotificationsGateway } from '../realtime/notifications.gateway';

export async function gracefulShutdown(app: INestApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  server.close(); // no new connections; requests in flight finish
  server.closeIdleConnections();
  app.get(NotificationsGateway).closeAll();
  await app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE)).close(); // waits for active jobs
  await app.close();
}

export function installShutdownHandlers(
  app: INestApplication,
  config: AppConfig,
  logger: LoggerService,
) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    gracefulShutdown(app).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

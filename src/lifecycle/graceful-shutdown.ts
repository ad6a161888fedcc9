/**
 * SIGTERM: stop accepting HTTP and WebSocket connections, close sockets with 1001 so clients
 * reconnect elsewhere and resume, let running jobs finish, then close everything and exit.
 */
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { QueueDiscovery } from '../metrics/queue-discovery';
import { NotificationsGateway } from '../realtime/notifications.gateway';

const draining = new WeakSet<INestApplication>();

/**
 * True once the app is shutting down. close() leaves busy keep-alive connections open, and the
 * requests that follow on them would still be served for as long as the shutdown takes: the
 * first request hook (app.factory.ts) answers those 503 and closes the connection.
 */
export function isDraining(app: INestApplication): boolean {
  return draining.has(app);
}

export async function gracefulShutdown(app: INestApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  draining.add(app);
  server.close(); // no new connections; requests in flight finish
  server.closeIdleConnections();
  app.get(NotificationsGateway).closeAll();
  // Every queue stops taking jobs and waits for its active ones (a job whose hand-off the close
  // cuts is re-run by another instance once its lock lapses, see QUEUE_LOCK_MS).
  await Promise.all(
    app
      .get(QueueDiscovery)
      .all()
      .map((queue) => queue.close()),
  );
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

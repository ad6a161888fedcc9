/**
 * Builds every client connection, WebSocket or SSE stream, ready to use: its limits from the
 * configuration, its gap fill through the replay rule (ResumeService), its metrics, in this
 * instance's registry at once (a frame sent before admission is decided is answered, not
 * dropped), and out of its user's group and count the moment the server closes it.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { ClientConnection, type ConnectionHooks } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import type { ConnectionSocket, Corkable } from './connection-socket';
import { PresenceService } from './presence.service';
import { ResumeService } from './resume.service';

@Injectable()
export class ConnectionFactory {
  private readonly logger = new Logger(ConnectionFactory.name);
  /** Shared by every connection of this instance. */
  private readonly hooks: ConnectionHooks;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    metrics: MetricsService,
    presence: PresenceService,
    resume: ResumeService,
  ) {
    this.hooks = {
      fetchGap: (userId, afterSeq, beforeSeq) => resume.gap(userId, afterSeq, beforeSeq),
      gapFillFailed: (error) => this.logger.warn(`gap fill failed: ${(error as Error).message}`),
      serverClosed: (connection) => {
        registry.release(connection);
        presence.release(connection);
      },
      slowConsumerClosed: () => metrics.slowConsumerClosed(),
      frameSent: () => metrics.frameSent(),
    };
  }

  /** WS_MAX_BUFFERED_BYTES: a connection's send backlog past this is a slow consumer. */
  get maxBufferedBytes(): number {
    return this.config.ws.maxBufferedBytes;
  }

  /**
   * A new connection of `principal` on `socket`, registered; `transport` is the TCP socket
   * under a WebSocket (writes are corked on it). Admission decides whether it may stay.
   */
  create(socket: ConnectionSocket, principal: Principal, transport?: Corkable): ClientConnection {
    const connection = new ClientConnection({
      socket,
      principal,
      limits: this.config.ws,
      hooks: this.hooks,
      transport,
    });
    this.registry.add(connection);
    return connection;
  }
}

/**
 * The server side of a socket from its upgrade to its close: its ClientConnection in this
 * instance's registry, and its place under WS_MAX_SOCKETS_PER_USER counted across every
 * instance (PresenceService). A socket over the cap is closed with 1008 before anything of the
 * user's is read from the database.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { InboxService } from '../notifications/inbox.service';
import { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { viewFrame } from './notification-frames';
import { PresenceService } from './presence.service';
import { CloseCode, RESUME_LIMIT } from './protocol';
import type { AuthenticatedUpgrade } from './ws-handshake';

@Injectable()
export class WsAdmission {
  private readonly logger = new Logger(WsAdmission.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly inbox: InboxService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The socket's connection once admitted; null when it was refused (and closed with 1008) or
   * closed while its admission was being decided.
   */
  async open(
    socket: WebSocket,
    request: AuthenticatedUpgrade,
    principal: Principal,
  ): Promise<ClientConnection | null> {
    const userId = principal.userId;
    const connection = new ClientConnection(
      socket,
      principal,
      this.config.ws,
      async (afterSeq, beforeSeq) =>
        (await this.inbox.range(userId, afterSeq, RESUME_LIMIT, beforeSeq)).map((view) => ({
          seq: view.seq,
          frame: viewFrame(view),
        })),
      (error) => this.logger.warn(`gap fill failed: ${(error as Error).message}`),
      () => this.metrics.slowConsumerClosed(),
      () => this.metrics.frameSent(),
    );
    connection.transport = request.socket; // the socket `ws` writes to (its upgrade's)
    // Out of its group and out of the count as soon as the server closes it (see release).
    connection.onServerClose = () => {
      this.registry.release(connection);
      this.presence.release(connection);
    };
    // Known at once, so a frame sent before admission is decided is answered, not dropped
    // (anything that needs `ready` waits for it).
    this.registry.add(connection);
    socket.on('pong', () => (connection.alive = true));
    const admitted = await this.presence.admit(connection);
    if (!connection.isOpen) return null; // gone meanwhile; its close released it
    if (!admitted) {
      this.metrics.handshakeRejected('too_many_connections');
      connection.close(CloseCode.Policy, 'too many connections for this user');
      return null;
    }
    connection.scheduleExpiry(() => connection.close(CloseCode.TokenExpired, 'token expired'));
    return connection;
  }

  /** The socket has closed (whoever closed it). */
  closed(socket: WebSocket): void {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    this.registry.remove(connection);
    this.presence.release(connection);
    connection.dispose();
  }
}

/**
 * The life of one client connection, whatever carries it (WebSocket or SSE): joined to its
 * user's group, `ready` first, live notifications through its sequencer, a `resume` replay
 * under the same hold and gap filling, and the close when its token expires. The gateway and
 * the SSE stream both go through here, so both give the same exactly-once, in-order stream.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { InboxService } from '../notifications/inbox.service';
import { ClientConnection, type ConnectionSocket } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { PresenceService } from './presence.service';
import { viewFrame } from './notification-frames';
import { CloseCode, encodeFrame, RESUME_LIMIT, type ErrorCode } from './protocol';

@Injectable()
export class ConnectionSessions {
  private readonly logger = new Logger(ConnectionSessions.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly inbox: InboxService,
    private readonly metrics: MetricsService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * A new connection for `principal` on `socket`, in this instance's registry at once (a frame
   * sent before admission is decided is answered, not dropped); `admit` decides whether it may
   * stay. Out of its group and out of the count as soon as the server closes it.
   */
  create(socket: ConnectionSocket, principal: Principal): ClientConnection {
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
    connection.onServerClose = () => {
      this.registry.release(connection);
      this.presence.release(connection);
    };
    this.registry.add(connection);
    return connection;
  }

  /**
   * Counts the connection in under WS_MAX_SOCKETS_PER_USER across every instance (sockets and
   * streams alike). `refused`: over the cap, the caller closes or answers it (and calls
   * `closed`); `gone`: it closed meanwhile. Once admitted it expires with its token.
   */
  async admit(connection: ClientConnection): Promise<'admitted' | 'refused' | 'gone'> {
    const admitted = await this.presence.admit(connection);
    if (!connection.isOpen) return 'gone'; // its close released it
    if (!admitted) {
      this.metrics.handshakeRejected('too_many_connections');
      return 'refused';
    }
    connection.scheduleExpiry(() => connection.close(CloseCode.TokenExpired, 'token expired'));
    return 'admitted';
  }

  get maxBufferedBytes(): number {
    return this.config.ws.maxBufferedBytes;
  }

  /** Closes a connection whose backlog passed WS_MAX_BUFFERED_BYTES (1013: reconnect, resume). */
  slowConsumer(connection: ClientConnection): void {
    this.metrics.slowConsumerClosed();
    connection.close(CloseCode.TryAgainLater, 'slow consumer');
  }

  /** The socket or stream is gone (whoever closed it): forget it. */
  closed(connection: ClientConnection): void {
    this.registry.remove(connection);
    this.presence.release(connection);
    connection.dispose();
  }

  /** Sends `ready`; false (and closed with 1013) when storage cannot answer. */
  async sendReady(connection: ClientConnection): Promise<boolean> {
    try {
      const userId = connection.userId;
      const [unreadCount, lastSeq] = await Promise.all([
        this.inbox.unreadCount(userId),
        this.inbox.lastSeq(userId),
      ]);
      if (!connection.isOpen) return false;
      connection.send(encodeFrame('ready', { userId, unreadCount, lastSeq }));
      connection.markReady(lastSeq);
      return true;
    } catch (error) {
      this.logger.warn(`ready failed: ${(error as Error).message}`);
      connection.close(CloseCode.TryAgainLater, 'storage unavailable, reconnect later');
      return false;
    }
  }

  /**
   * Replays every notification after `afterSeq`, in order, then `resumed`; live notifications
   * wait in the sequencer meanwhile and continue right after the replay, each exactly once.
   */
  async resume(connection: ClientConnection, afterSeq: number): Promise<void> {
    await connection.ready;
    if (connection.resuming) {
      return this.fail(connection, 'resume_in_progress', 'a resume is already running');
    }
    connection.resuming = true;
    const before = connection.deliveredOrReadySeq;
    connection.cancelGrace(); // the hold after `ready` becomes the replay's hold
    connection.sequencer.hold(); // live frames wait until the replay is out
    try {
      const userId = connection.userId;
      const rows = await this.inbox.range(userId, afterSeq, RESUME_LIMIT + 1);
      const complete = rows.length <= RESUME_LIMIT;
      const replay = rows.slice(0, RESUME_LIMIT);
      for (const view of replay) connection.send(viewFrame(view));
      const last = replay.at(-1)?.seq;
      // Where live delivery continues: after the replay; after an incomplete replay, from now
      // (the client pages the rest over REST).
      const floor = !complete
        ? await this.inbox.lastSeq(userId)
        : (last ?? Math.min(afterSeq, await this.inbox.lastSeq(userId)));
      connection.send(encodeFrame('resumed', { count: replay.length, complete }));
      connection.sequencer.release(floor);
    } catch (error) {
      this.logger.warn(`resume failed: ${(error as Error).message}`);
      connection.sequencer.release(before);
      this.fail(connection, 'unavailable', 'storage unavailable, retry the resume');
    } finally {
      connection.resuming = false;
    }
  }

  fail(connection: ClientConnection, code: ErrorCode, message: string): void {
    connection.send(encodeFrame('error', { code, message }));
  }
}

/**
 * The consumer of Channels: one per socket, joined to its user's group on connect, ready first,
 * then live notifications in seq order; `resume`, `read`, `read.all`, `ping` from the client.
 */
import {
  BeforeApplicationShutdown,
  Inject,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UUID_PATTERN } from '../common/uuid';
import { MAX_IDS_PER_READ } from '../notifications/dto/limits';
import { InboxService } from '../notifications/inbox.service';
import { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { viewFrame } from './notification-frames';
import { CloseCode, encodeFrame, RESUME_LIMIT, WS_PATH, type ErrorCode } from './protocol';
import { WsAdmission } from './ws-admission';
import type { AuthenticatedUpgrade } from './ws-handshake';
import { isRecord } from './ws-frame-router';

const MAX_SEQ = 2 ** 31 - 1;

/** Heartbeat pings per event-loop turn. */
const PINGS_PER_SLICE = 500;

@WebSocketGateway({ path: WS_PATH })
export class NotificationsGateway
  implements
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnModuleInit,
    OnModuleDestroy,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(NotificationsGateway.name);
  private heartbeat: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly inbox: InboxService,
    private readonly admission: WsAdmission,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => void this.sweep(), this.config.ws.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /**
   * ping/terminate: a peer that did not answer the previous ping is dead. In slices, yielding
   * between them: a ping is a socket write (~20 µs), and 10,000 of them in one go stalled
   * everything else for ~0.2 s every interval.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const connections = [...this.registry.all()];
      for (let i = 0; i < connections.length; i += PINGS_PER_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const connection of connections.slice(i, i + PINGS_PER_SLICE)) {
          if (!connection.isOpen) continue; // closed meanwhile
          if (!connection.alive) {
            connection.socket.terminate();
            continue;
          }
          connection.alive = false;
          connection.socket.ping();
        }
      }
    } finally {
      this.sweeping = false;
    }
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  beforeApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.closeAll();
  }

  /** Closes every socket with 1001 so clients reconnect (to another instance) and resume. */
  closeAll(): void {
    for (const connection of [...this.registry.all()]) {
      connection.close(CloseCode.GoingAway, 'server shutting down');
    }
  }

  handleConnection(socket: WebSocket, request: AuthenticatedUpgrade): void {
    const principal = request.principal;
    if (!principal) {
      socket.close(CloseCode.Policy, 'unauthenticated');
      return;
    }
    void this.admission.open(socket, request, principal).then(
      (connection) => connection && this.sendReady(connection),
      (error: unknown) => {
        this.logger.error(`admission failed: ${(error as Error).message}`);
        socket.close(CloseCode.InternalError, 'internal error');
      },
    );
  }

  handleDisconnect(socket: WebSocket): void {
    this.admission.closed(socket);
  }

  @SubscribeMessage('ping')
  ping(@ConnectedSocket() socket: WebSocket): void {
    this.registry.forSocket(socket)?.send(encodeFrame('pong', {}));
  }

  @SubscribeMessage('resume')
  async resume(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    const afterSeq = isRecord(data) ? data['afterSeq'] : undefined;
    if (
      typeof afterSeq !== 'number' ||
      !Number.isInteger(afterSeq) ||
      afterSeq < 0 ||
      afterSeq > MAX_SEQ
    ) {
      return this.fail(connection, 'invalid_data', 'resume needs { afterSeq: integer >= 0 }');
    }
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

  @SubscribeMessage('read')
  async read(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    const ids = isRecord(data) ? data['ids'] : undefined;
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > MAX_IDS_PER_READ ||
      !ids.every((id) => typeof id === 'string' && UUID_PATTERN.test(id))
    ) {
      return this.fail(
        connection,
        'invalid_data',
        `read needs { ids: 1-${MAX_IDS_PER_READ} uuids }`,
      );
    }
    await this.storageCall(connection, () =>
      this.inbox.markManyRead(connection.userId, ids as string[]),
    );
  }

  @SubscribeMessage('read.all')
  async readAll(@ConnectedSocket() socket: WebSocket): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    await this.storageCall(connection, () => this.inbox.markAllRead(connection.userId));
  }

  private async sendReady(connection: ClientConnection): Promise<void> {
    try {
      const userId = connection.userId;
      const [unreadCount, lastSeq] = await Promise.all([
        this.inbox.unreadCount(userId),
        this.inbox.lastSeq(userId),
      ]);
      if (!connection.isOpen) return;
      connection.send(encodeFrame('ready', { userId, unreadCount, lastSeq }));
      connection.markReady(lastSeq);
    } catch (error) {
      this.logger.warn(`ready failed: ${(error as Error).message}`);
      connection.close(CloseCode.TryAgainLater, 'storage unavailable, reconnect later');
    }
  }

  private async storageCall(
    connection: ClientConnection,
    call: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.logger.warn(`socket request failed: ${(error as Error).message}`);
      this.fail(connection, 'unavailable', 'storage unavailable, retry');
    }
  }

  private fail(connection: ClientConnection, code: ErrorCode, message: string): void {
    connection.send(encodeFrame('error', { code, message }));
  }
}

/**
 * The consumer of Channels: one per socket, joined to its user's group on connect, `ready`
 * first, then live notifications in seq order; `resume`, `read`, `read.all`, `ping` from the
 * client. It checks each frame's data and hands the work on: admission (WsAdmission), the
 * replay rule (ResumeService), read state (the inbox port); the heartbeat is
 * ConnectionHeartbeat's. Frames reach these handlers through WsFrameRouter (JSON, rate limits).
 */
import { BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import type { ClientConnection } from './client-connection';
import { INPUT_RULES, readInput, resumeInput } from './client-input';
import { ConnectionRegistry } from './connection-registry';
import { INBOX_PORT, type InboxPort } from './inbox.port';
import { OnClientEvent } from './on-client-event';
import { CloseCode, encodeFrame, WS_PATH } from './protocol';
import { ResumeService } from './resume.service';
import { WsAdmission } from './ws-admission';
import type { AuthenticatedUpgrade } from './ws-handshake';

@WebSocketGateway({ path: WS_PATH })
export class NotificationsGateway
  implements OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  private readonly logger = new Logger(NotificationsGateway.name);

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly admission: WsAdmission,
    private readonly resumes: ResumeService,
    @Inject(INBOX_PORT) private readonly inbox: InboxPort,
  ) {}

  beforeApplicationShutdown(): void {
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
      (connection) => connection && this.resumes.sendReady(connection),
      (error: unknown) => {
        this.logger.error(`admission failed: ${(error as Error).message}`);
        socket.close(CloseCode.InternalError, 'internal error');
      },
    );
  }

  handleDisconnect(socket: WebSocket): void {
    this.admission.closed(socket);
  }

  @OnClientEvent('ping')
  ping(@ConnectedSocket() socket: WebSocket): void {
    this.registry.forSocket(socket)?.send(encodeFrame('pong', {}));
  }

  @OnClientEvent('resume')
  async resume(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    const input = resumeInput(data);
    if (!input) return this.invalid(connection, INPUT_RULES.resume);
    await this.resumes.resume(connection, input.afterSeq);
  }

  @OnClientEvent('read')
  async read(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    const input = readInput(data);
    if (!input) return this.invalid(connection, INPUT_RULES.read);
    await this.storageCall(connection, () => this.inbox.markManyRead(connection.userId, input.ids));
  }

  @OnClientEvent('read.all')
  async readAll(@ConnectedSocket() socket: WebSocket): Promise<void> {
    const connection = this.registry.forSocket(socket);
    if (!connection) return;
    await this.storageCall(connection, () => this.inbox.markAllRead(connection.userId));
  }

  private invalid(connection: ClientConnection, message: string): void {
    connection.sendError({ code: 'invalid_data', message });
  }

  private async storageCall(
    connection: ClientConnection,
    call: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.logger.warn(`socket request failed: ${(error as Error).message}`);
      connection.sendError({ code: 'unavailable', message: 'storage unavailable, retry' });
    }
  }
}

/**
 * The server side of a socket from its upgrade to its close: its ClientConnection (built with
 * the upgrade's TCP socket as its transport, alive while it answers pings), and its place
 * under WS_MAX_SOCKETS_PER_USER (ConnectionAdmission, which SSE streams share). A socket over
 * the cap is closed with 1008 before anything of the user's is read from the database.
 */
import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import type { ClientConnection } from './client-connection';
import { ConnectionAdmission } from './connection-admission';
import { ConnectionFactory } from './connection-factory';
import { ConnectionRegistry } from './connection-registry';
import { CloseCode } from './protocol';
import type { AuthenticatedUpgrade } from './ws-handshake';

@Injectable()
export class WsAdmission {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly factory: ConnectionFactory,
    private readonly admission: ConnectionAdmission,
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
    // `request.socket`: the socket `ws` writes to (its upgrade's).
    const connection = this.factory.create(socket, principal, request.socket);
    socket.on('pong', () => connection.markAlive());
    const outcome = await this.admission.admit(connection);
    if (outcome === 'refused') {
      connection.close(CloseCode.Policy, 'too many connections for this user');
    }
    return outcome === 'admitted' ? connection : null;
  }

  /** The socket has closed (whoever closed it). */
  closed(socket: WebSocket): void {
    const connection = this.registry.forSocket(socket);
    if (connection) this.admission.closed(connection);
  }
}

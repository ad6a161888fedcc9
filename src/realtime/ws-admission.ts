/**
 * The server side of a socket from its upgrade to its close: its ClientConnection in this
 * instance's registry, and its place under WS_MAX_SOCKETS_PER_USER counted across every
 * instance (PresenceService, through ConnectionSessions, which SSE streams share). A socket
 * over the cap is closed with 1008 before anything of the user's is read from the database.
 */
import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { ConnectionSessions } from './connection-sessions';
import { CloseCode } from './protocol';
import type { AuthenticatedUpgrade } from './ws-handshake';

@Injectable()
export class WsAdmission {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly sessions: ConnectionSessions,
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
    const connection = this.sessions.create(socket, principal);
    connection.transport = request.socket; // the socket `ws` writes to (its upgrade's)
    socket.on('pong', () => (connection.alive = true));
    const outcome = await this.sessions.admit(connection);
    if (outcome === 'refused') {
      connection.close(CloseCode.Policy, 'too many connections for this user');
    }
    return outcome === 'admitted' ? connection : null;
  }

  /** The socket has closed (whoever closed it). */
  closed(socket: WebSocket): void {
    const connection = this.registry.forSocket(socket);
    if (connection) this.sessions.closed(connection);
  }
}

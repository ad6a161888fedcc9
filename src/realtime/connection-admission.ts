/**
 * Whether a connection may stay, and its end, whatever carries it (a WebSocket or an SSE
 * stream): WS_MAX_SOCKETS_PER_USER counts both kinds together, across every instance
 * (PresenceService). Built by ConnectionFactory; `ready` and the replay come from
 * ResumeService once it is admitted.
 */
import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { PresenceService } from './presence.service';

@Injectable()
export class ConnectionAdmission {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * Counts the connection in under WS_MAX_SOCKETS_PER_USER. `refused`: over the cap, the caller
   * closes or answers it (and calls `closed`); `gone`: it closed meanwhile. Once admitted it
   * closes with 4401 when its token expires.
   */
  async admit(connection: ClientConnection): Promise<'admitted' | 'refused' | 'gone'> {
    const admitted = await this.presence.admit(connection);
    if (!connection.isOpen) return 'gone'; // its close released it
    if (!admitted) {
      this.metrics.handshakeRejected('too_many_connections');
      return 'refused';
    }
    connection.expireWithToken();
    return 'admitted';
  }

  /** The socket or stream is gone (whoever closed it): forget it. */
  closed(connection: ClientConnection): void {
    this.registry.remove(connection);
    this.presence.release(connection);
    connection.dispose();
  }
}

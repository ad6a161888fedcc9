/**
 * The local half of the per-user groups: every open connection of this instance, by user. Its
 * size is the herald_ws_connections gauge.
 */
import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import type { ClientConnection } from './client-connection';
import type { ConnectionSocket } from './connection-socket';

@Injectable()
export class ConnectionRegistry {
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly bySocket = new WeakMap<ConnectionSocket, ClientConnection>();
  private total = 0;

  constructor(metrics: MetricsService) {
    metrics.countConnectionsWith(() => this.total);
  }

  get size(): number {
    return this.total;
  }

  countFor(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  add(connection: ClientConnection): void {
    let group = this.byUser.get(connection.userId);
    if (!group) {
      group = new Set();
      this.byUser.set(connection.userId, group);
    }
    this.bySocket.set(connection.socket, connection);
    if (!group.has(connection)) {
      group.add(connection);
      this.total += 1;
    }
  }

  /** Forgets the connection entirely (its socket has closed). */
  remove(connection: ClientConnection): void {
    this.bySocket.delete(connection.socket);
    this.release(connection);
  }

  /**
   * Takes a connection out of its user's group once the server has closed it: it gets nothing
   * more and no longer counts toward WS_MAX_SOCKETS_PER_USER, even while its peer has not
   * answered the close yet (a stalled reader keeps a socket up to `ws`'s 30 s close timeout).
   * Its socket stays known until it is gone.
   */
  release(connection: ClientConnection): void {
    const group = this.byUser.get(connection.userId);
    if (!group?.delete(connection)) return;
    this.total -= 1;
    if (group.size === 0) this.byUser.delete(connection.userId);
  }

  forSocket(socket: ConnectionSocket): ClientConnection | undefined {
    return this.bySocket.get(socket);
  }

  socketsOf(userId: string): ReadonlySet<ClientConnection> | undefined {
    return this.byUser.get(userId);
  }

  *all(): IterableIterator<ClientConnection> {
    for (const group of this.byUser.values()) yield* group;
  }
}

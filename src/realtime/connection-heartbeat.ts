/**
 * ping/terminate every WS_HEARTBEAT_INTERVAL_MS for every connection of this instance: a peer
 * that did not answer the previous ping is dead and is terminated (its close then frees its
 * place). A ping is a socket write (~20 µs), so a sweep goes in slices with a yield between
 * them: the event loop is never blocked for more than one slice, however many sockets.
 */
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ConnectionRegistry } from './connection-registry';

/** Pings per event-loop turn. */
const PINGS_PER_SLICE = 500;

@Injectable()
export class ConnectionHeartbeat
  implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown
{
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.ws.heartbeatIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  beforeApplicationShutdown(): void {
    this.stop();
  }

  /** One heartbeat for every connection; a sweep still running makes this one a no-op. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const connections = [...this.registry.all()];
      for (let i = 0; i < connections.length; i += PINGS_PER_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const connection of connections.slice(i, i + PINGS_PER_SLICE)) connection.heartbeat();
      }
    } finally {
      this.sweeping = false;
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

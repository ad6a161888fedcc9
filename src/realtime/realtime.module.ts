import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { ConnectionRegistry } from './connection-registry';
import { PRESENCE } from './presence.port';
import { PresenceService } from './presence.service';
import { RealtimeBus } from './realtime.bus';
import { RealtimeDelivery } from './realtime.delivery';
import { RealtimePublisher } from './realtime.publisher';

/**
 * The channel layer: the Redis bus, the local socket registry and delivery to it, and presence
 * (who is connected on any instance). What other features push through (RealtimePublisher);
 * it depends on no feature. The client edges that read the inbox are RealtimeGatewayModule's.
 */
@Module({
  imports: [MetricsModule],
  providers: [
    RealtimeBus,
    ConnectionRegistry,
    RealtimeDelivery,
    RealtimePublisher,
    PresenceService,
    { provide: PRESENCE, useExisting: PresenceService },
  ],
  exports: [RealtimeBus, ConnectionRegistry, RealtimePublisher, PresenceService, PRESENCE],
})
export class RealtimeModule {}

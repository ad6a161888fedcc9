import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { PresenceService } from './presence.service';
import { RealtimeBus } from './realtime.bus';
import { RealtimeDelivery } from './realtime.delivery';
import { RealtimePublisher } from './realtime.publisher';

/**
 * The channel layer: the Redis bus, the local socket registry and delivery to it, and presence
 * (who is connected on any instance).
 */
@Module({
  providers: [
    RealtimeBus,
    ConnectionRegistry,
    RealtimeDelivery,
    RealtimePublisher,
    PresenceService,
  ],
  exports: [RealtimeBus, ConnectionRegistry, RealtimePublisher, PresenceService],
})
export class RealtimeModule {}

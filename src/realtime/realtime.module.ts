import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { PRESENCE } from './presence.port';
import { RealtimeBus } from './realtime.bus';
import { RealtimeDelivery } from './realtime.delivery';
import { RealtimePublisher } from './realtime.publisher';
import { UserPresence } from './user-presence';

/** The channel layer: the Redis bus, the local socket registry and delivery to it. */
@Module({
  providers: [
    RealtimeBus,
    ConnectionRegistry,
    RealtimeDelivery,
    RealtimePublisher,
    UserPresence,
    { provide: PRESENCE, useExisting: UserPresence },
  ],
  exports: [RealtimeBus, ConnectionRegistry, RealtimePublisher, PRESENCE],
})
export class RealtimeModule {}

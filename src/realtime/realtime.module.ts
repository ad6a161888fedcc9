import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { RealtimeBus } from './realtime.bus';
import { RealtimeDelivery } from './realtime.delivery';
import { RealtimePublisher } from './realtime.publisher';

/** The channel layer: the Redis bus, the local socket registry and delivery to it. */
@Module({
  providers: [RealtimeBus, ConnectionRegistry, RealtimeDelivery, RealtimePublisher],
  exports: [RealtimeBus, ConnectionRegistry, RealtimePublisher],
})
export class RealtimeModule {}

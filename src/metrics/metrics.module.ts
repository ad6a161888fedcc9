import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RealtimeModule } from '../realtime/realtime.module';
import { BullQueues } from './bull-queues';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * Global so that the gateway, delivery and processors can count without importing it. HTTP
 * requests are counted by a hook of the server (http-metrics.ts, installed by app.factory.ts).
 */
@Global()
@Module({
  imports: [DiscoveryModule, RealtimeModule],
  controllers: [MetricsController],
  providers: [MetricsService, BullQueues],
  exports: [MetricsService, BullQueues],
})
export class MetricsModule {}

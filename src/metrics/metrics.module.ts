import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueDiscovery } from './queue-discovery';

/**
 * Global so that every feature can count without importing it (realtime imports it anyway, to
 * say so); it imports no feature itself. HTTP requests are counted by a hook of the server
 * (http-metrics.ts, installed by app.factory.ts).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [MetricsController],
  providers: [MetricsService, QueueDiscovery],
  exports: [MetricsService, QueueDiscovery],
})
export class MetricsModule {}

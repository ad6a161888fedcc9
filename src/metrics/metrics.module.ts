import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueDiscovery } from './queue-discovery';

/**
 * Global so that every feature can count without importing it; it imports no feature itself
 * (features hand in what it reads, e.g. `countConnectionsWith`), so a feature may also import
 * it explicitly without a cycle, as realtime does. HTTP requests are counted by a hook of the
 * server (http-metrics.ts, installed by app.factory.ts).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [MetricsController],
  providers: [MetricsService, QueueDiscovery],
  exports: [MetricsService, QueueDiscovery],
})
export class MetricsModule {}

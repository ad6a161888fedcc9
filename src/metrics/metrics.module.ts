import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RealtimeModule } from '../realtime/realtime.module';
import { BullQueues } from './bull-queues';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Global so that the gateway, delivery and processors can count without importing it. */
@Global()
@Module({
  imports: [DiscoveryModule, RealtimeModule],
  controllers: [MetricsController],
  providers: [MetricsService, BullQueues],
  exports: [MetricsService, BullQueues],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(HttpMetricsMiddleware)
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}

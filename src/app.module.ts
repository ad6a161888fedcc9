import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { HttpErrorFilter } from './http/http-error.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { databaseOptions } from './database/database-options';
import { prepareDatabase } from './database/prepare-database';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { RealtimeGatewayModule } from './realtime/realtime-gateway.module';
import { RealtimeModule } from './realtime/realtime.module';
import { TasksModule } from './tasks/tasks.module';
import { ThrottlingModule } from './throttling/throttling.module';
import { WidgetModule } from './widget/widget.module';

@Module({})
export class AppModule {
  /** The whole app for one validated configuration (main.ts and the e2e tests build it alike). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await prepareDatabase(config);
            return databaseOptions(config);
          },
        }),
        // Bull creates (and on close, quits) its own three connections from the URL; clients
        // handed in through `createClient` would be left open at shutdown.
        BullModule.forRoot({
          url: config.redis.url,
          prefix: `${config.redis.prefix}:bull`,
          // Stalled jobs (worker killed, or a hand-off cut by shutdown) are re-run after the
          // lock lapses; processing is idempotent, so a second run stores nothing twice.
          settings: {
            lockDuration: config.queue.lockMs,
            lockRenewTime: config.queue.lockMs / 2,
            stalledInterval: config.queue.lockMs / 2,
            maxStalledCount: 3,
          },
        }),
        ThrottlingModule, // before AuthModule: its guard runs first (see throttling.module.ts)
        AuthModule,
        MetricsModule,
        RealtimeModule,
        NotificationsModule,
        TasksModule,
        RealtimeGatewayModule.register({ inbox: NotificationsModule }),
        HealthModule,
        AdminModule,
        DocsModule,
        WidgetModule.forRoot(config),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}

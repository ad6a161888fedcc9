import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from '../auth/auth.module';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HeraldThrottlerGuard } from './herald-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { ThrottlerStorageModule } from './throttler-storage.module';

/**
 * Rate limiting of REST (RATE_LIMIT_*). Import it before AuthModule: global guards run in the
 * order their modules are registered, and the limit should apply before authentication.
 */
@Module({
  imports: [
    AuthModule,
    ThrottlerModule.forRootAsync({
      imports: [ThrottlerStorageModule],
      inject: [APP_CONFIG, RedisThrottlerStorage],
      useFactory: (config: AppConfig, storage: RedisThrottlerStorage) => ({
        storage,
        throttlers: [
          {
            name: 'default',
            limit: config.rateLimit.requests,
            ttl: config.rateLimit.windowMs,
            blockDuration: config.rateLimit.blockMs,
          },
        ],
        errorMessage: (_context, detail) =>
          `too many requests: ${detail.limit} per ${detail.ttl / 1000} s; ` +
          `retry in ${detail.timeToBlockExpire} s`,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: HeraldThrottlerGuard }],
})
export class ThrottlingModule {}

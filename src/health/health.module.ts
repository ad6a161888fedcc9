import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RealtimeModule } from '../realtime/realtime.module';
import { HealthController } from './health.controller';
import { RedisHealth } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), RealtimeModule],
  controllers: [HealthController],
  providers: [RedisHealth],
})
export class HealthModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { FrameRateLimiter } from './frame-rate-limiter';
import { NotificationsGateway } from './notifications.gateway';
import { RealtimeModule } from './realtime.module';
import { WsAdmission } from './ws-admission';
import { WsFrameRouter } from './ws-frame-router';
import { WsHandshake } from './ws-handshake';

/** The `/ws` endpoint; kept apart from RealtimeModule so notifications can push without a cycle. */
@Module({
  imports: [AuthModule, RealtimeModule, NotificationsModule],
  providers: [NotificationsGateway, WsHandshake, WsFrameRouter, WsAdmission, FrameRateLimiter],
  exports: [NotificationsGateway],
})
export class RealtimeGatewayModule {}

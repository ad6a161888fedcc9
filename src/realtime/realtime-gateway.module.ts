import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationsGateway } from './notifications.gateway';
import { RealtimeModule } from './realtime.module';
import { WsFrameRouter } from './ws-frame-router';
import { WsHandshake } from './ws-handshake';

/** The `/ws` endpoint; kept apart from RealtimeModule so notifications can push without a cycle. */
@Module({
  imports: [AuthModule, RealtimeModule, NotificationsModule],
  providers: [NotificationsGateway, WsHandshake, WsFrameRouter],
  exports: [NotificationsGateway],
})
export class RealtimeGatewayModule {}

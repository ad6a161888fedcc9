import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ConnectionSessions } from './connection-sessions';
import { FrameRateLimiter } from './frame-rate-limiter';
import { NotificationsGateway } from './notifications.gateway';
import { RealtimeModule } from './realtime.module';
import { SseStreamController } from './sse-stream.controller';
import { SseStreams } from './sse-streams';
import { WsAdmission } from './ws-admission';
import { WsFrameRouter } from './ws-frame-router';
import { WsHandshake } from './ws-handshake';

/** The `/ws` endpoint and the SSE stream; kept apart from RealtimeModule so notifications can push without a cycle. */
@Module({
  imports: [AuthModule, RealtimeModule, NotificationsModule],
  controllers: [SseStreamController],
  providers: [
    NotificationsGateway,
    WsHandshake,
    WsFrameRouter,
    WsAdmission,
    FrameRateLimiter,
    ConnectionSessions,
    SseStreams,
  ],
  exports: [NotificationsGateway],
})
export class RealtimeGatewayModule {}

import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ConnectionAdmission } from './connection-admission';
import { ConnectionFactory } from './connection-factory';
import { ConnectionHeartbeat } from './connection-heartbeat';
import { FrameRateLimiter } from './frame-rate-limiter';
import { NotificationsGateway } from './notifications.gateway';
import { RealtimeModule } from './realtime.module';
import { ResumeService } from './resume.service';
import { SseStreamController } from './sse-stream.controller';
import { SseStreams } from './sse-streams';
import { WsAdmission } from './ws-admission';
import { WsFrameRouter } from './ws-frame-router';
import { WsHandshake } from './ws-handshake';

type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];

/**
 * The client edges: `/ws` and the SSE stream `/v1/stream`. They read the inbox through
 * INBOX_PORT (inbox.port.ts), which the module named by `inbox` provides — the composition root
 * names NotificationsModule — so nothing in realtime imports notifications, while notifications
 * pushes through RealtimeModule: the two folders depend on each other one way only.
 */
@Module({})
export class RealtimeGatewayModule {
  static register(options: { inbox: ModuleImport }): DynamicModule {
    return {
      module: RealtimeGatewayModule,
      imports: [AuthModule, MetricsModule, RealtimeModule, options.inbox],
      controllers: [SseStreamController],
      providers: [
        NotificationsGateway,
        ConnectionHeartbeat,
        WsHandshake,
        WsFrameRouter,
        WsAdmission,
        FrameRateLimiter,
        ConnectionFactory,
        ConnectionAdmission,
        ResumeService,
        SseStreams,
      ],
    };
  }
}

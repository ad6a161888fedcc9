/**
 * Who may open `/v1/stream`, checked before the stream starts (so refusals are ordinary JSON
 * errors): the same origin rule as the WebSocket upgrade (403) and the same per-user connection
 * limit (429 with Retry-After, where `/ws` closes with 1008). Runs after the JWT guard.
 */
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { ConnectionSessions } from './connection-sessions';

const RETRY_AFTER_S = '5';

@Injectable()
export class SseAdmissionGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: ConnectionSessions,
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: Record<string, unknown>; user?: Principal }>();
    const origin = request.headers['origin'];
    const allowed = this.config.allowedOrigins;
    if (allowed && typeof origin === 'string' && !allowed.includes(origin)) {
      this.metrics.handshakeRejected('forbidden_origin');
      throw new ForbiddenException('origin not allowed');
    }
    if (request.user && this.sessions.atLimit(request.user.userId)) {
      this.metrics.handshakeRejected('too_many_connections');
      this.adapterHost.httpAdapter.setHeader(http.getResponse(), 'Retry-After', RETRY_AFTER_S);
      throw new HttpException('too many connections for this user', HttpStatus.TOO_MANY_REQUESTS);
    }
    return true;
  }
}
